#!/bin/bash
# postfix-run.sh: make real Postfix logs whose truth is known.
#
# Run as root on a Debian 12 machine:  sudo tests/realserver/postfix-run.sh
#
# It installs Postfix, swaks and friends from Debian's packages when they are
# missing, runs two private Postfix instances (own config, queue and data
# directories under $BASE, no chroot) that listen on 127.0.0.1 only, drives
# the first through a failure in every SMTP phase with swaks and with
# tests/realserver/smtpclient.py, stops both, and writes:
#
#   samples/postfix/mail.log      the log of the server under test ("mx"),
#                                 exactly as Postfix's postlogd wrote it
#   samples/postfix/remote.log    the log of a second instance ("remote") that
#                                 plays the other side of outbound deliveries
#   samples/postfix/expected.tsv  one line per conversation: what the script
#                                 did and the verdict design.md section 4
#                                 gives it (see samples/README.md)
#
# tests/realserver/show-expected.py prints each row with its log lines.
#
#   sudo tests/realserver/postfix-run.sh hold
#
# runs only the first instance for HOLD and DISCARD actions (see
# hold_discard below) and writes samples/postfix/hold.log.
#
#   sudo tests/realserver/postfix-run.sh teach
#
# runs only the first instance, for one conversation whose line no shipped
# pattern knows (a RCPT TO address with a space: "warning: Illegal address
# syntax ... in RCPT command"; the MAIL form is shipped), and writes its
# smtpd lines to samples/postfix/teach.log: the line README.md's "teach
# the tool a line" walk-through teaches.
#
# Every scripted conversation uses its own client source port (20001-20599,
# below the kernel's ephemeral range) and, where there is a HELO, its own HELO
# name, so each row of expected.tsv can be found in the log.  Our smtp
# client's deliveries to the remote instance come from ephemeral ports; each
# uses its own smtp transport with its own HELO name instead.  No traffic
# leaves 127.0.0.1.  The run takes about one minute.
#
# Environment: BASE (work directory, default /tmp/smtplog-postfix; removed and
# recreated), OUT (output directory, default samples/postfix in the repo).

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BASE=${BASE:-/tmp/smtplog-postfix}
OUT=${OUT:-$REPO/samples/postfix}
CLIENT=$HERE/smtpclient.py

ETC=$BASE/etc
SPOOL=$BASE/spool
DATA=$BASE/data
MAILDIR=$BASE/mail
TR=$BASE/transcripts
LOG=$BASE/mail.log
RETC=$BASE/remote/etc
RSPOOL=$BASE/remote/spool
RDATA=$BASE/remote/data
RLOG=$BASE/remote.log
EXPECTED=$BASE/expected.tsv

# Listeners, all on 127.0.0.1.
PS=10025        # postscreen in front of smtpd
SUB=10026       # smtpd with STARTTLS and SASL AUTH, smtpd_delay_reject=no
SLOW=10027      # smtpd with smtpd_timeout=3s
PLAIN=10028     # plain smtpd with the default smtpd_delay_reject=yes
REMOTE=10029    # "remote" smtpd that our smtp client delivers to
REFUSED=10030   # nothing listens here

LOCALDOM=smtplog.test

die() { echo "postfix-run.sh: $*" >&2; exit 1; }
say() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
case $BASE in
    /tmp/?*|/var/tmp/?*|*smtplog*) ;;
    *) die "BASE=$BASE: refusing to use a directory outside /tmp that is not named *smtplog*" ;;
esac

# ---------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------
install_packages() {
    local want=(postfix swaks ssl-cert libsasl2-modules sasl2-bin python3
                libnet-ssleay-perl iproute2)
    local missing=() p
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]}"
        apt-get update
        echo "postfix postfix/main_mailer_type select No configuration" |
            debconf-set-selections
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            "${missing[@]}"
    fi
    if [ ! -e /etc/ssl/certs/ssl-cert-snakeoil.pem ] ||
       [ ! -e /etc/ssl/private/ssl-cert-snakeoil.key ]; then
        say "generating the snakeoil certificate"
        make-ssl-cert generate-default-snakeoil --force-overwrite
    fi
}


# ---------------------------------------------------------------------------
# 2. Two private Postfix instances
# ---------------------------------------------------------------------------
# "mx" is the server under test; it logs to mail.log.  "remote" stands for
# the other side of outbound deliveries: a second instance (own queue, own
# queue manager, myhostname remote.test) on 127.0.0.1:$REMOTE that logs to
# remote.log, as a separate machine would.
pf() { postfix -c "$ETC" "$@"; }

master_pid() {
    local pidfile=$1/pid/master.pid pid
    [ -f "$pidfile" ] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# stop_instance CONFIG_DIR QUEUE_DIR
stop_instance() {
    local etc=$1 spool=$2 i
    master_pid "$spool" >/dev/null || return 0
    postfix -c "$etc" stop >/dev/null 2>&1 || true
    for i in $(seq 1 50); do
        master_pid "$spool" >/dev/null || return 0
        sleep 0.2
    done
    postfix -c "$etc" abort >/dev/null 2>&1 || true
}

stop_all() {
    [ -d "$ETC" ] && stop_instance "$ETC" "$SPOOL"
    [ -d "$RETC" ] && stop_instance "$RETC" "$RSPOOL"
    return 0
}

SERVER_PORTS="( sport >= :$PS and sport <= :$REFUSED )"
CLIENT_PORTS="( sport >= :20001 and sport <= :20599 )"

# Nothing may listen on our server ports, and the client ports must be free
# of sockets, also of TIME-WAIT leftovers of a previous run (swaks cannot
# bind a port in TIME-WAIT).
wait_ports_free() {
    local i n
    if ss -ltnH "$SERVER_PORTS" | grep -q .; then
        ss -ltnpH "$SERVER_PORTS" >&2
        die "something listens on 127.0.0.1:$PS-$REFUSED already"
    fi
    for i in $(seq 1 80); do
        n=$(ss -tanH "$CLIENT_PORTS" | grep -c . || true)
        [ "$n" -eq 0 ] && return 0
        [ "$i" -eq 1 ] && say "waiting for $n sockets of an earlier run to go away"
        sleep 1
    done
    ss -tanH "$CLIENT_PORTS" >&2
    die "client ports 20001-20599 are in use"
}

# main_cf_common CONFIG_DIR QUEUE_DIR DATA_DIR LOG_FILE MYHOSTNAME
main_cf_common() {
    cat <<EOF
# Private instance made by tests/realserver/postfix-run.sh
compatibility_level = 3.6
config_directory = $1
queue_directory = $2
data_directory = $3
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $4
maillog_file_prefixes = /var, /dev/stdout, $BASE
myhostname = $5
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# 127.0.0.1 is deliberately not in mynetworks: every client here is 127.0.0.1
# and must be treated as a stranger (relay denied, postscreen tests).
mynetworks = 192.0.2.1/32
biff = no
# No DNS at all.
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_client_port_logging = yes
smtpd_tls_security_level = may
smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_loglevel = 1
smtp_tls_security_level = may
smtp_tls_loglevel = 1
message_size_limit = 100000
# Queue: no automatic retries during the run; the script flushes by hand.
queue_run_delay = 300s
minimal_backoff_time = 300s
maximal_backoff_time = 600s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
smtp_connection_cache_on_demand = no
smtp_connect_timeout = 5s
EOF
}

master_cf_common() {
    cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

write_config() {
    mkdir -p "$ETC/sasl" "$SPOOL" "$DATA" "$MAILDIR" "$TR" "$RETC" "$RSPOOL" "$RDATA"
    chmod 755 "$BASE" "$BASE/remote"
    chmod 1777 "$MAILDIR"
    chown postfix:postfix "$DATA" "$RDATA"

    # ----- mx: the server under test
    {
        main_cf_common "$ETC" "$SPOOL" "$DATA" "$LOG" "mx.$LOCALDOM"
        cat <<EOF
mydomain = $LOCALDOM
myorigin = \$mydomain
mydestination = \$mydomain, localhost
relay_domains = bounce.test tempfail.test refused.test retry.test expire.test ok.test
transport_maps = hash:$ETC/transport
alias_maps = hash:$ETC/aliases
alias_database = hash:$ETC/aliases
local_recipient_maps = \$alias_maps

smtpd_banner = \$myhostname ESMTP smtplog-test
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender, check_sender_access hash:$ETC/sender_access
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_non_fqdn_recipient, check_recipient_access hash:$ETC/recipient_access
smtpd_data_restrictions = reject_unauth_pipelining
header_checks = regexp:$ETC/header_checks
body_checks = regexp:$ETC/body_checks

smtpd_sasl_auth_enable = no
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $ETC/sasl
smtpd_sasl_local_domain = $LOCALDOM
smtpd_tls_auth_only = no

postscreen_greet_action = enforce
postscreen_greet_wait = 2s
postscreen_pipelining_enable = yes
postscreen_pipelining_action = drop
postscreen_non_smtp_command_enable = yes
postscreen_non_smtp_command_action = drop
postscreen_bare_newline_enable = yes
postscreen_bare_newline_action = drop
postscreen_cache_map = btree:\$data_directory/postscreen_cache
EOF
    } >"$ETC/main.cf"

    local s
    {
        cat <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PS inet n - n - 1 postscreen
smtpd     pass  -       -       n       -       -       smtpd
127.0.0.1:$SUB inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_delay_reject=no
127.0.0.1:$SLOW inet n - n - - smtpd
  -o syslog_name=postfix/slow
  -o smtpd_timeout=3s
127.0.0.1:$PLAIN inet n - n - - smtpd
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
EOF
        master_cf_common
        # One smtp transport per relayed message, each with its own HELO
        # name, so that the remote side's inbound session can be told apart.
        for s in 1 2 3 4 5 6 7 8 9; do
            echo "out$s unix - - n - - smtp -o smtp_helo_name=r$s.mx.$LOCALDOM"
        done
    } >"$ETC/master.cf"

    cat >"$ETC/transport" <<EOF
u1@bounce.test    out1:[127.0.0.1]:$REMOTE
u2@tempfail.test  out2:[127.0.0.1]:$REMOTE
u3@refused.test   out3:[127.0.0.1]:$REFUSED
u4@retry.test     out4:[127.0.0.1]:$REMOTE
u5@expire.test    out5:[127.0.0.1]:$REMOTE
u6@ok.test        out6:[127.0.0.1]:$REMOTE
v7@bounce.test    out7:[127.0.0.1]:$REMOTE
u8@ok.test        out8:[127.0.0.1]:$REMOTE
u9@ok.test        out9:[127.0.0.1]:$REMOTE
EOF
    cat >"$ETC/aliases" <<EOF
alice: $MAILDIR/alice
bob: $MAILDIR/bob
carol: $MAILDIR/carol
postmaster: alice
root: alice
mailer-daemon: alice
blocked-out: alice
EOF
    cat >"$ETC/sender_access" <<EOF
blocked.test REJECT
EOF
    cat >"$ETC/recipient_access" <<EOF
greylist@$LOCALDOM 450 4.2.0 Greylisted, please try again later
EOF
    cat >"$ETC/header_checks" <<'EOF'
/^Subject:.*REJECTME/ REJECT Subject rejected by header_checks (test)
EOF
    cat >"$ETC/body_checks" <<'EOF'
/BODYREJECT/ REJECT Body rejected by body_checks (test)
EOF
    local m
    for m in transport sender_access recipient_access; do
        postmap -c "$ETC" "hash:$ETC/$m"
    done
    postalias -c "$ETC" "hash:$ETC/aliases"

    cat >"$ETC/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $ETC/sasldb2
EOF
    echo "correct-horse" | saslpasswd2 -f "$ETC/sasldb2" -c -p -u "$LOCALDOM" alice
    chown root:postfix "$ETC/sasldb2"
    chmod 640 "$ETC/sasldb2"

    # ----- remote: the other side of our outbound deliveries
    {
        main_cf_common "$RETC" "$RSPOOL" "$RDATA" "$RLOG" remote.test
        cat <<EOF
mydomain = remote.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
relay_domains = bounce.test tempfail.test retry.test expire.test ok.test
# What the remote accepts is thrown away.
relay_transport = discard:accepted-by-remote
smtpd_banner = \$myhostname ESMTP remote-test
smtpd_delay_reject = no
smtpd_sender_restrictions = check_sender_access hash:$RETC/sender_access
smtpd_relay_restrictions = permit_auth_destination, reject
smtpd_recipient_restrictions = check_recipient_access hash:$RETC/recipient_access
header_checks = regexp:$RETC/header_checks
EOF
    } >"$RETC/main.cf"
    {
        echo "127.0.0.1:$REMOTE inet n - n - - smtpd"
        master_cf_common
    } >"$RETC/master.cf"
    cat >"$RETC/recipient_access" <<EOF
bounce.test   550 5.1.1 Mailbox unavailable (remote test)
tempfail.test 450 4.2.1 Mailbox busy, try again later (remote test)
expire.test   450 4.2.1 Mailbox busy, try again later (remote test)
retry.test    451 4.3.0 Temporary local problem (remote test)
EOF
    cat >"$RETC/sender_access" <<EOF
blocked-out@$LOCALDOM 553 5.7.1 Sender not accepted here (remote test)
EOF
    cat >"$RETC/header_checks" <<'EOF'
/^Subject:.*REMOTEREJECT/ REJECT 5.7.1 Content rejected by remote (test)
EOF
    for m in sender_access recipient_access; do
        postmap -c "$RETC" "hash:$RETC/$m"
    done

    # A body larger than message_size_limit.
    local i
    for i in $(seq 1 2000); do
        printf 'line %04d of a message that is larger than message_size_limit .......\n' "$i"
    done >"$BASE/big-body.txt"
}

# Messages still to be handled by the queue manager.
queue_busy() {
    find "$SPOOL/maildrop" "$SPOOL/incoming" "$SPOOL/active" -type f 2>/dev/null | grep -c . || true
}

wait_queue() {
    local i quiet=0
    for i in $(seq 1 150); do
        if [ "$(queue_busy)" -eq 0 ]; then
            quiet=$((quiet + 1))
            [ "$quiet" -ge 3 ] && return 0
        else
            quiet=0
        fi
        sleep 0.2
    done
    echo "postfix-run.sh: warning: queue did not settle" >&2
}

# ---------------------------------------------------------------------------
# 3. Conversations
# ---------------------------------------------------------------------------
# expect MATCH VALUE DIRECTION STATUS PHASE KIND NOTE
# A row of expected.tsv about a session in mail.log (the server under test).
expect() {
    printf 'mail.log\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$EXPECTED"
}

# The same for a session of the remote instance, in remote.log.
expect_remote() {
    printf 'remote.log\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$EXPECTED"
}

# sw NAME SERVERPORT LOCALPORT SWAKS-ARGS...
sw() {
    local name=$1 port=$2 lport=$3
    shift 3
    swaks --server "127.0.0.1:$port" --local-interface 127.0.0.1 --local-port "$lport" \
        --timeout 20 "$@" >"$TR/$lport-$name.txt" 2>&1 || true
}

# py NAME SERVERPORT LOCALPORT STEPS...
py() {
    local name=$1 port=$2 lport=$3
    shift 3
    python3 "$CLIENT" "$port" "$lport" "$@" >"$TR/$lport-$name.txt" 2>&1 || true
}

# The queue ID of the message a conversation got accepted.
qid_of() {
    sed -n 's/.*queued as \([0-9A-F][0-9A-F]*\).*/\1/p' "$TR/$1"-*.txt | tail -n 1
}

H=client.test    # HELO names are p<PORT>.client.test

scenarios_postscreen() {
    say "postscreen on 127.0.0.1:$PS"
    py ps-hangup $PS 20001
    expect port 20001 inbound failed pre-greeting dropped \
        "postscreen: connected and closed at once, before the greeting (HANGUP)"

    py ps-pregreet $PS 20002 "raw:EHLO p20002.$H\r\n" r w:0.5 s:QUIT eof
    expect port 20002 inbound failed pre-greeting protocol \
        "postscreen: sent EHLO before the 220 greeting (PREGREET), then QUIT after the greeting"

    py ps-pregreet-enforce $PS 20003 "raw:EHLO p20003.$H\r\n" r w:0.5 \
        "s:EHLO p20003.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:QUIT eof
    expect port 20003 inbound failed rcpt rejected \
        "postscreen: PREGREET, then carried on; postscreen_greet_action=enforce rejects RCPT with 550 5.5.1 Protocol error (where: rcpt; why: pregreet)"

    py ps-nonsmtp $PS 20004 r "s:GET / HTTP/1.0" r eof
    expect port 20004 inbound failed pre-greeting protocol \
        "postscreen: 'GET / HTTP/1.0' as the first command; NON-SMTP COMMAND after CONNECT, dropped with 521"

    py ps-pipelining $PS 20005 r "raw:EHLO p20005.$H\r\nMAIL FROM:<alice@$LOCALDOM>\r\n" r r eof
    expect port 20005 inbound failed helo protocol \
        "postscreen: EHLO and MAIL in one packet; COMMAND PIPELINING after EHLO, dropped"

    py ps-barenewline $PS 20006 r "raw:EHLO p20006.$H\n" r "raw:MAIL FROM:<alice@$LOCALDOM>\n" r eof
    expect port 20006 inbound failed helo protocol \
        "postscreen: EHLO ended by a bare LF; BARE NEWLINE, dropped"

    py ps-deeptest $PS 20007 r "s:EHLO p20007.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:QUIT r eof
    expect port 20007 inbound failed rcpt tempfail \
        "postscreen: well-behaved client in the deep protocol tests gets 450 4.3.2 Service currently unavailable at RCPT (and PASS NEW)"

    sw ps-clean $PS 20008 --helo "p20008.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --header "Subject: clean delivery through postscreen"
    expect port 20008 inbound ok - - \
        "postscreen PASS OLD, handed to smtpd, message delivered to local bob (the smtpd part logs the same port)"
}

scenarios_plain() {
    say "plain smtpd on 127.0.0.1:$PLAIN"
    py hangup $PLAIN 20101
    expect port 20101 inbound failed pre-greeting dropped \
        "connected and closed at once (lost connection after CONNECT)"

    sw ehlo-quit $PLAIN 20102 --helo "p20102.$H" --quit-after EHLO
    expect port 20102 inbound ok - - "EHLO then QUIT, no mail (outcome no-mail)"

    sw clean $PLAIN 20103 --helo "p20103.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --header "Subject: clean delivery"
    expect port 20103 inbound ok - - "clean delivery to local bob"

    sw unknown-user $PLAIN 20104 --helo "p20104.$H" --from "alice@$LOCALDOM" --to "nobody@$LOCALDOM"
    expect port 20104 inbound failed rcpt rejected "RCPT to an unknown local user: 550 5.1.1"

    sw relay-denied $PLAIN 20105 --helo "p20105.$H" --from "alice@$LOCALDOM" --to "someone@example.com"
    expect port 20105 inbound failed rcpt rejected "RCPT to a foreign domain: 554 5.7.1 Relay access denied"

    sw greylist $PLAIN 20106 --helo "p20106.$H" --from "alice@$LOCALDOM" --to "greylist@$LOCALDOM"
    expect port 20106 inbound failed rcpt tempfail "RCPT answered 450 4.2.0 by check_recipient_access"

    sw partial $PLAIN 20107 --helo "p20107.$H" --from "alice@$LOCALDOM" \
        --to "alice@$LOCALDOM,nobody@$LOCALDOM,bob@$LOCALDOM" --header "Subject: partial"
    expect port 20107 inbound partial rcpt rejected \
        "three RCPTs: alice accepted, nobody 550 5.1.1, bob accepted; message accepted for two"

    sw sender-delayed $PLAIN 20108 --helo "p20108.$H" --from "spammer@blocked.test" --to "bob@$LOCALDOM"
    expect port 20108 inbound failed rcpt rejected \
        "MAIL FROM a blocked sender; smtpd_delay_reject=yes so the 554 sender reject comes at RCPT (where: rcpt; why: sender)"

    sw helo-delayed $PLAIN 20109 --helo "badhelo20109" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM"
    expect port 20109 inbound failed rcpt rejected \
        "non-FQDN HELO badhelo20109; smtpd_delay_reject=yes so the 504 5.5.2 HELO reject comes at RCPT (where: rcpt; why: helo-policy)"

    sw too-big $PLAIN 20110 --helo "p20110.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --body "@$BASE/big-body.txt"
    expect port 20110 inbound failed data rejected \
        "message of ~150 kB, no SIZE= in MAIL, over message_size_limit=100000: '552 5.3.4 Error: message file too big' after the final dot; the log has no reject line, only 'warning: QID: queue file size limit exceeded' and data=0/1"

    sw header-reject $PLAIN 20111 --helo "p20111.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --header "Subject: REJECTME header_checks test"
    expect port 20111 inbound failed data rejected "header_checks REJECT on the Subject: 550 5.7.1 after the final dot"

    sw body-reject $PLAIN 20112 --helo "p20112.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --header "Subject: body test" --body "This line carries BODYREJECT for body_checks."
    expect port 20112 inbound failed data rejected "body_checks REJECT: 550 5.7.1 after the final dot"

    py drop-in-data $PLAIN 20113 r "s:EHLO p20113.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:DATA r "s:Subject: dropped" s: "s:first line" \
        "s:second line" w:0.5
    expect port 20113 inbound failed data dropped "hung up in the middle of the message text (lost connection after DATA (N bytes))"

    py drop-after-rcpt $PLAIN 20114 r "s:EHLO p20114.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r
    expect port 20114 inbound failed rcpt dropped "hung up after RCPT was accepted (lost connection after RCPT)"

    py drop-after-ehlo $PLAIN 20115 r "s:EHLO p20115.$H" r
    expect port 20115 inbound failed helo dropped "hung up after EHLO (lost connection after EHLO)"

    py nonsmtp $PLAIN 20116 r "s:GET / HTTP/1.0" r eof
    expect port 20116 inbound failed pre-greeting protocol \
        "'GET / HTTP/1.0' as the first command: warning: non-SMTP command; no command before it, so the stage is CONNECT"

    py pipelining $PLAIN 20117 r "s:EHLO p20117.$H" r \
        "raw:MAIL FROM:<alice@$LOCALDOM>\r\nRCPT TO:<bob@$LOCALDOM>\r\nDATA\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\n" \
        r r r w:0.5 s:QUIT eof
    expect port 20117 inbound failed data protocol \
        "sent the message text without waiting for the 354 to DATA: improper command pipelining after DATA, reject_unauth_pipelining answers 503 5.5.0 to DATA"

    # Relayed mail: accepted here, then delivered by our smtp client to the
    # remote instance (or to a port where nothing listens).
    sw relay-bounce $PLAIN 20120 --helo "p20120.$H" --from "alice@$LOCALDOM" --to "u1@bounce.test" \
        --header "Subject: will bounce at remote RCPT"
    expect port 20120 inbound failed post-queue bounced \
        "message accepted for u1@bounce.test, the remote then refused the recipient with 550: status=bounced"
    expect recipient u1@bounce.test outbound failed rcpt rejected \
        "our smtp client to [127.0.0.1]:$REMOTE: 550 5.1.1 in reply to RCPT TO"
    expect_remote helo r1.mx.$LOCALDOM inbound failed rcpt rejected \
        "the remote's side of the u1@bounce.test delivery: reject: RCPT 550 5.1.1 (helo= is in the reject line)"

    sw relay-tempfail $PLAIN 20121 --helo "p20121.$H" --from "alice@$LOCALDOM" --to "u2@tempfail.test" \
        --header "Subject: will be deferred"
    expect port 20121 inbound failed post-queue deferred \
        "message accepted for u2@tempfail.test, remote answers 450 to RCPT; still deferred when the log ends"
    expect recipient u2@tempfail.test outbound failed rcpt tempfail \
        "our smtp client: 450 4.2.1 in reply to RCPT TO; status=deferred"
    expect_remote helo r2.mx.$LOCALDOM inbound failed rcpt tempfail \
        "the remote's side of the u2@tempfail.test delivery: reject: RCPT 450 4.2.1"

    sw relay-refused $PLAIN 20122 --helo "p20122.$H" --from "alice@$LOCALDOM" --to "u3@refused.test" \
        --header "Subject: connection refused"
    expect port 20122 inbound failed post-queue deferred \
        "message accepted for u3@refused.test, next hop [127.0.0.1]:$REFUSED refuses connections; still deferred when the log ends"
    expect recipient u3@refused.test outbound failed pre-greeting dropped \
        "our smtp client: connect to 127.0.0.1[127.0.0.1]:$REFUSED: Connection refused; status=deferred"

    sw relay-retry $PLAIN 20123 --helo "p20123.$H" --from "alice@$LOCALDOM" --to "u4@retry.test" \
        --header "Subject: deferred once then delivered"
    expect port 20123 inbound ok - - \
        "message accepted for u4@retry.test; first attempt deferred (451), the second attempt delivered it, so the message ends delivered"
    expect recipient u4@retry.test outbound failed rcpt tempfail \
        "FIRST of two outbound sessions for u4@retry.test (earlier in the log): 451 4.3.0 in reply to RCPT TO, status=deferred"
    expect recipient u4@retry.test outbound ok - - \
        "SECOND of two outbound sessions for u4@retry.test (later in the log): status=sent after the remote map was changed"
    expect_remote helo r4.mx.$LOCALDOM inbound failed rcpt tempfail \
        "the remote's side of the FIRST u4@retry.test attempt: reject: RCPT 451 4.3.0"
    expect_remote recipient u4@retry.test inbound ok - - \
        "the remote's side of the SECOND u4@retry.test attempt (the later of the two sessions): accepted, then discarded (status=sent (accepted-by-remote)); an accepted session's HELO is not logged, it is found through the queue ID"

    sw relay-expire $PLAIN 20124 --helo "p20124.$H" --from "alice@$LOCALDOM" --to "u5@expire.test" \
        --header "Subject: will expire"
    expect port 20124 inbound failed post-queue expired \
        "message accepted for u5@expire.test, deferred (450), then force-expired with postsuper -e: returned to sender"
    expect recipient u5@expire.test outbound failed rcpt tempfail \
        "our smtp client's only attempt: 450 4.2.1 in reply to RCPT TO (no attempt is made after postsuper -e)"
    expect_remote helo r5.mx.$LOCALDOM inbound failed rcpt tempfail \
        "the remote's side of the u5@expire.test delivery: reject: RCPT 450 4.2.1"

    sw relay-data-reject $PLAIN 20125 --helo "p20125.$H" --from "alice@$LOCALDOM" --to "u8@ok.test" \
        --header "Subject: REMOTEREJECT at end of data"
    expect port 20125 inbound failed post-queue bounced \
        "message accepted for u8@ok.test; the remote rejects its content after the final dot: status=bounced"
    expect recipient u8@ok.test outbound failed data rejected \
        "our smtp client: 550 5.7.1 in reply to end of DATA command"
    expect_remote helo r8.mx.$LOCALDOM inbound failed data rejected \
        "the remote's side: its cleanup's header_checks reject the message after the final dot (reject: header ... helo=<r8...>)"

    sw relay-mail-reject $PLAIN 20126 --helo "p20126.$H" --from "blocked-out@$LOCALDOM" --to "u9@ok.test" \
        --header "Subject: remote refuses the sender"
    expect port 20126 inbound failed post-queue bounced \
        "message from blocked-out@ accepted for u9@ok.test; the remote refuses the sender at MAIL FROM: status=bounced"
    expect recipient u9@ok.test outbound failed mail rejected \
        "our smtp client: 553 5.7.1 in reply to MAIL FROM command"
    expect_remote helo r9.mx.$LOCALDOM inbound failed mail rejected \
        "the remote's side (smtpd_delay_reject=no there): reject: MAIL 553 5.7.1"
}

scenarios_submission() {
    say "smtpd with TLS and AUTH on 127.0.0.1:$SUB"
    py helo-reject $SUB 20201 r "s:EHLO badhelo20201" r s:QUIT r eof
    expect port 20201 inbound failed helo rejected \
        "non-FQDN EHLO badhelo20201 with smtpd_delay_reject=no: 504 5.5.2 at EHLO, then QUIT"

    py starttls-garbage $SUB 20202 r "s:EHLO p20202.$H" r s:STARTTLS r "s:THIS IS NOT TLS" w:0.5 eof
    expect port 20202 inbound failed starttls tls \
        "STARTTLS answered 220, then plain text instead of a ClientHello: SSL_accept error"

    py starttls-hangup $SUB 20203 r "s:EHLO p20203.$H" r s:STARTTLS r tlshalf w:0.5
    expect port 20203 inbound failed starttls tls \
        "STARTTLS answered 220, half a ClientHello, then hung up: SSL_accept error / lost connection after STARTTLS"

    sw auth-fail $SUB 20204 --helo "p20204.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        -a LOGIN -au alice -ap wrong-password
    expect port 20204 inbound failed auth auth "AUTH LOGIN with a wrong password: 535 5.7.8, swaks then QUITs"

    sw auth-relay $SUB 20205 --helo "p20205.$H" --from "alice@$LOCALDOM" --to "u6@ok.test" \
        -tls -a PLAIN -au alice -ap correct-horse --header "Subject: authenticated relay"
    expect port 20205 inbound ok - - "STARTTLS, AUTH PLAIN ok, relayed to u6@ok.test, delivered"
    expect recipient u6@ok.test outbound ok - - "our smtp client to the remote: status=sent (250 2.0.0 Ok: queued as ...)"
    expect_remote recipient u6@ok.test inbound ok - - \
        "the remote's side of the u6@ok.test delivery: accepted, then discarded (status=sent (accepted-by-remote)); an accepted session's HELO is not logged, it is found through the queue ID"

    sw sender-nonfqdn $SUB 20206 --helo "p20206.$H" --from "alice" --to "bob@$LOCALDOM"
    expect port 20206 inbound failed mail rejected \
        "MAIL FROM:<alice> (not fully qualified), smtpd_delay_reject=no: 504 5.5.2 at MAIL"

    sw sender-blocked $SUB 20207 --helo "p20207.$H" --from "spammer@blocked.test" --to "bob@$LOCALDOM"
    expect port 20207 inbound failed mail rejected \
        "MAIL FROM a sender in check_sender_access, smtpd_delay_reject=no: 554 5.7.1 at MAIL"

    py size-declared $SUB 20208 r "s:EHLO p20208.$H" r "s:MAIL FROM:<alice@$LOCALDOM> SIZE=500000" r \
        s:QUIT r eof
    expect port 20208 inbound failed mail rejected \
        "MAIL FROM with SIZE=500000 over message_size_limit: 552 5.3.4 Message size exceeds fixed limit at MAIL"

    sw tls-clean $SUB 20209 --helo "p20209.$H" --from "alice@$LOCALDOM" --to "carol@$LOCALDOM" \
        -tls --header "Subject: clean delivery over TLS"
    expect port 20209 inbound ok - - "STARTTLS then a clean delivery to local carol"
}

scenarios_slow() {
    say "smtpd with smtpd_timeout=3s on 127.0.0.1:$SLOW (three clients at once)"
    py timeout-data $SLOW 20301 r "s:EHLO p20301.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:DATA r "s:Subject: stalled" s: "s:first line" w:6 eof &
    py timeout-ehlo $SLOW 20302 r "s:EHLO p20302.$H" r w:6 eof &
    py timeout-connect $SLOW 20303 r w:6 eof &
    wait
    expect port 20301 inbound failed data timeout \
        "sent DATA and two lines of text, then nothing: timeout after DATA (N bytes)"
    expect port 20302 inbound failed helo timeout "sent EHLO, then nothing: timeout after EHLO"
    expect port 20303 inbound failed pre-greeting timeout "read the greeting, sent nothing: timeout after CONNECT"
}

scenarios_debug() {
    say "again with debug_peer_list = 127.0.0.1"
    sw debug-auth-fail $SUB 20401 --helo "p20401.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        -a PLAIN -au alice -ap wrong-again
    expect port 20401 inbound failed auth auth "debug_peer_list: AUTH PLAIN with a wrong password: 535 5.7.8"

    sw debug-unknown-user $PLAIN 20402 --helo "p20402.$H" --from "alice@$LOCALDOM" --to "nobody@$LOCALDOM"
    expect port 20402 inbound failed rcpt rejected "debug_peer_list: RCPT to an unknown local user: 550 5.1.1"

    sw debug-clean $PLAIN 20403 --helo "p20403.$H" --from "alice@$LOCALDOM" --to "carol@$LOCALDOM" \
        --header "Subject: clean delivery, verbose"
    expect port 20403 inbound ok - - "debug_peer_list: clean delivery to local carol"

    sw debug-relay-bounce $PLAIN 20404 --helo "p20404.$H" --from "alice@$LOCALDOM" --to "v7@bounce.test" \
        --header "Subject: will bounce, verbose"
    expect port 20404 inbound failed post-queue bounced \
        "debug_peer_list: accepted for v7@bounce.test, then bounced by the remote's 550 at RCPT"
    expect recipient v7@bounce.test outbound failed rcpt rejected \
        "debug_peer_list: our smtp client logs its '> ' commands and '< ' replies; 550 5.1.1 in reply to RCPT TO"
    expect_remote helo r7.mx.$LOCALDOM inbound failed rcpt rejected \
        "debug_peer_list: the remote's side, with its own '< ' and '> ' lines"
}

main() {
    install_packages
    command -v swaks >/dev/null || die "swaks is missing"
    [ -r "$CLIENT" ] || die "missing $CLIENT"

    if [ -d "$BASE" ]; then
        stop_all
        rm -rf "$BASE"
    fi
    mkdir -p "$BASE/remote"
    wait_ports_free
    write_config
    printf 'file\tmatch\tvalue\tdirection\tstatus\tphase\tkind\tnote\n' >"$EXPECTED"

    trap 'stop_all' EXIT
    postfix -c "$RETC" check
    postfix -c "$ETC" check
    postfix -c "$RETC" start
    pf start
    sleep 2

    scenarios_postscreen
    scenarios_plain
    scenarios_submission
    scenarios_slow
    wait_queue

    # Second attempt for u4@retry.test (the remote now accepts it), and
    # force-expire u5@expire.test.
    local q4 q5
    q4=$(qid_of 20123)
    q5=$(qid_of 20124)
    if [ -z "$q4" ] || [ -z "$q5" ]; then
        die "could not find the queue IDs of the retry/expire messages"
    fi
    say "second attempt for $q4, force-expire $q5"
    sed -i '/^retry.test/d' "$RETC/recipient_access"
    sleep 1.1
    postmap -c "$RETC" "hash:$RETC/recipient_access"
    postfix -c "$RETC" reload
    sleep 1
    postsuper -c "$ETC" -e "$q5"
    postqueue -c "$ETC" -i "$q4"
    postqueue -c "$ETC" -i "$q5"
    wait_queue

    postconf -c "$ETC" -e "debug_peer_list = 127.0.0.1"
    postconf -c "$RETC" -e "debug_peer_list = 127.0.0.1"
    pf reload
    postfix -c "$RETC" reload
    sleep 2
    scenarios_debug
    wait_queue

    # A session still open when Postfix stops: the log never closes it.
    say "a session left open at the end"
    py open-at-end $PLAIN 20501 r "s:EHLO p20501.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r eof &
    local open_pid=$!
    sleep 2
    expect port 20501 inbound incomplete rcpt - \
        "EHLO, MAIL, RCPT accepted, then the client waited; Postfix was stopped with the session open (no disconnect line); the phase is the stage it reached (its queue ID shows an accepted RCPT)"

    postqueue -c "$ETC" -p >"$TR/queue-at-end.txt" 2>&1 || true
    local version
    version=$(postconf -c "$ETC" -h mail_version)
    stop_all
    wait "$open_pid" || true
    trap - EXIT
    # The queues (two deferred messages) go; configs and transcripts stay.
    rm -rf "$SPOOL" "$RSPOOL"

    # Every row's key must occur in its log, or the run went wrong.
    local file match value rest absent=0
    while IFS=$'\t' read -r file match value rest; do
        case $match in
            port) grep -q "\[127\.0\.0\.1\]:$value\b" "$BASE/$file" ;;
            helo) grep -qF "helo=<$value>" "$BASE/$file" ;;
            recipient) grep -qF "to=<$value>" "$BASE/$file" ;;
            *) false ;;
        esac || { echo "postfix-run.sh: $file has no $match $value" >&2; absent=1; }
    done < <(tail -n +2 "$EXPECTED")
    [ "$absent" -eq 0 ] || die "some conversations are missing from the logs (see $TR)"

    mkdir -p "$OUT"
    cp "$LOG" "$OUT/mail.log"
    cp "$RLOG" "$OUT/remote.log"
    cp "$EXPECTED" "$OUT/expected.tsv"
    say "Postfix $version, $(swaks --version | sed -n 's/^swaks version //p' | head -n 1 | sed 's/^/swaks /')"
    say "wrote $OUT/mail.log ($(wc -l <"$OUT/mail.log") lines), $OUT/remote.log ($(wc -l <"$OUT/remote.log") lines), $OUT/expected.tsv ($(($(wc -l <"$OUT/expected.tsv") - 1)) rows)"
    say "transcripts of every conversation are in $TR"
    if ss -ltnH "$SERVER_PORTS" | grep -q .; then
        die "something still listens on $PS-$REFUSED"
    fi
}

# The configuration matrix: "postfix-run.sh matrix [CONFIG]" runs the same
# conversations under each configuration of postfix-matrix.sh (or only
# CONFIG) and writes samples/postfix/CONFIG/; the run above is not redone.
# shellcheck source=tests/realserver/postfix-matrix.sh
. "$HERE/postfix-matrix.sh"

# One conversation with a line no shipped pattern knows (see the header).
teach() {
    install_packages
    if [ -d "$BASE" ]; then
        stop_all
        rm -rf "$BASE"
    fi
    mkdir -p "$BASE/remote" "$TR"
    wait_ports_free
    write_config
    trap 'stop_all' EXIT
    postfix -c "$ETC" check
    pf start
    sleep 2
    say "RCPT TO with a space in the address"
    py illegal-recipient $PLAIN 20601 r "s:EHLO p20601.$H" r \
        "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob smith@$LOCALDOM>" r "s:QUIT" r eof
    sleep 1
    stop_all
    trap - EXIT
    mkdir -p "$OUT"
    grep 'postfix/smtpd\[' "$LOG" >"$OUT/teach.log"
    say "wrote $OUT/teach.log ($(wc -l <"$OUT/teach.log") lines)"
}

# HOLD and DISCARD actions, at RCPT (an access map) and at the end of DATA
# (header_checks), and one held message released and delivered; writes
# samples/postfix/hold.log. pflogsumm counts these lines as held and
# discarded; tests/check-peers.sh compares.
hold_discard() {
    install_packages
    if [ -d "$BASE" ]; then
        stop_all
        rm -rf "$BASE"
    fi
    mkdir -p "$BASE/remote" "$TR"
    wait_ports_free
    write_config
    cat >>"$ETC/recipient_access" <<EOF2
hold@$LOCALDOM HOLD held for review (test)
discard@$LOCALDOM DISCARD dropped quietly (test)
EOF2
    postmap -c "$ETC" "hash:$ETC/recipient_access"
    cat >>"$ETC/header_checks" <<'EOF2'
/^Subject:.*HOLDME/ HOLD Subject held by header_checks (test)
/^Subject:.*DISCARDME/ DISCARD Subject discarded by header_checks (test)
EOF2
    trap 'stop_all' EXIT
    postfix -c "$ETC" check
    pf start
    sleep 2
    say "HOLD and DISCARD at RCPT and at the end of DATA"
    sw hold-rcpt $PLAIN 20701 --helo "p20701.$H" --from "alice@$LOCALDOM" \
        --to "hold@$LOCALDOM,bob@$LOCALDOM"
    sw discard-rcpt $PLAIN 20702 --helo "p20702.$H" --from "alice@$LOCALDOM" \
        --to "discard@$LOCALDOM"
    sw hold-header $PLAIN 20703 --helo "p20703.$H" --from "alice@$LOCALDOM" \
        --to "carol@$LOCALDOM" --header "Subject: HOLDME please"
    sw discard-header $PLAIN 20704 --helo "p20704.$H" --from "alice@$LOCALDOM" \
        --to "carol@$LOCALDOM" --header "Subject: DISCARDME please"
    sw clean $PLAIN 20705 --helo "p20705.$H" --from "alice@$LOCALDOM" \
        --to "bob@$LOCALDOM"
    wait_queue
    # release the message held at RCPT: it is delivered then
    local q
    q=$(qid_of 20701)
    [ -n "$q" ] && postsuper -c "$ETC" -H "$q" && postqueue -c "$ETC" -f
    sleep 2
    wait_queue
    sleep 1
    stop_all
    trap - EXIT
    mkdir -p "$OUT"
    cp "$LOG" "$OUT/hold.log"
    say "wrote $OUT/hold.log ($(wc -l <"$OUT/hold.log") lines)"
}

if [ "${1:-}" = teach ]; then
    teach
elif [ "${1:-}" = hold ]; then
    hold_discard
elif [ "${1:-}" = matrix ]; then
    shift
    matrix_main "$@"
else
    main "$@"
fi
