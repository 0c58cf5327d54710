#!/bin/bash
# exim-run.sh: make real Exim logs whose truth is known.
#
# Run as root on a Debian 12 machine:  sudo tests/realserver/exim-run.sh
#
# Exim and Postfix conflict in apt, so this script does not install Exim:
# it fetches Debian's exim4-daemon-light, exim4-base and exim4-config with
# `apt-get download`, unpacks them with `dpkg -x` under $BASE/root and runs
# $BASE/root/usr/sbin/exim4 with configuration files of its own (-C).  The
# binary was built for the Debian-exim user, so that system user is created
# when it is missing (as exim4-base's postinst would); libidn12 and swaks are
# installed with apt-get when missing.
#
# Two private Exim instances run, each with its own configuration, spool and
# log directory, listening on 127.0.0.1 only, with no DNS lookups:
#
#   mx      the server under test: 127.0.0.1:10125 (normal), 10126 (the
#           connect ACL refuses everyone), 10127 (smtp_receive_timeout = 3s,
#           greeting delayed by 1s), 10128 (the connect ACL drops everyone)
#   remote  the other side of mx's outbound deliveries: 127.0.0.1:10129,
#           10131 where its connect ACL refuses everyone, and 10132, the only
#           port where it advertises CHUNKING (mx then sends BDAT)
#
# Nothing listens on 127.0.0.1:10130 ("Connection refused").
#
# The whole set of conversations is run once per configuration (RUN), each
# time with fresh spools and logs:
#
#   default   no log_selector at all (Exim's defaults), no log_timezone
#   pid       log_selector = +pid +smtp_connection +smtp_no_mail
#             +smtp_incomplete_transaction +smtp_protocol_error
#             +smtp_syntax_error +incoming_port +millisec, and log_timezone
#   all       log_selector = +all, no log_timezone
#   allnopid  log_selector = +all -pid, and log_timezone
#   spci      log_selector = +pid +smtp_connection +incoming_port only
#
# and writes, for each RUN:
#
#   samples/exim/RUN/mainlog            mx's main log, as Exim wrote it
#   samples/exim/RUN/rejectlog          mx's reject log
#   samples/exim/RUN/remote-mainlog     the remote's main log
#   samples/exim/RUN/remote-rejectlog   the remote's reject log
#   samples/exim/RUN/expected.tsv       one line per conversation
#
# Client source ports: 21001-21099 in the default run, 22001-22099 in pid,
# 23001- in all, 24001- in allnopid, 25001- in spci (below the kernel's
# ephemeral range); HELO names p<PORT>.client.test, or badhelo<PORT> where
# the name is meant to be refused.  mx's deliveries to the remote say HELO
# <domain>-out.mx.exim.test.  No traffic leaves 127.0.0.1.  Each run takes
# about a minute and a half; name runs as arguments to make only those
# (sudo tests/realserver/exim-run.sh all spci).
#
# Environment: BASE (work directory, default /tmp/smtplog-exim; everything
# but the downloaded packages is removed and recreated), OUT (output
# directory, default samples/exim in the repo).

set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BASE=${BASE:-/tmp/smtplog-exim}
OUT=${OUT:-$REPO/samples/exim}
CLIENT=$HERE/smtpclient.py

ROOT=$BASE/root
EXIM=$ROOT/usr/sbin/exim4
DEBS=$BASE/debs
EXPECTED=$BASE/expected.tsv
CERT=$BASE/cert.pem
KEY=$BASE/key.pem
EXUSER=Debian-exim

# Listeners, all on 127.0.0.1.
MAIN=10125      # mx, normal
DENY=10126      # mx, connect ACL denies
SLOW=10127      # mx, smtp_receive_timeout = 3s, greeting delayed 1s
DROP=10128      # mx, connect ACL drops
REMOTE=10129    # remote
REFUSED=10130   # nothing listens here
RDENY=10131     # remote, connect ACL denies
CHUNK=10132     # remote, advertises CHUNKING (the other remote ports do not)

LOCALDOM=exim.test
H=client.test   # HELO names are p<PORT>.client.test

die() { echo "exim-run.sh: $*" >&2; exit 1; }
say() { echo "== $*"; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
case $BASE in
    /tmp/?*|/var/tmp/?*|*smtplog*) ;;
    *) die "BASE=$BASE: refusing to use a directory outside /tmp that is not named *smtplog*" ;;
esac

# ---------------------------------------------------------------------------
# 1. Packages: Exim unpacked, not installed
# ---------------------------------------------------------------------------
install_packages() {
    local want=(swaks libidn12 libnet-ssleay-perl python3 openssl iproute2)
    local missing=() p
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            "${missing[@]}"
    fi
    if ! ls "$DEBS"/exim4-daemon-light_*.deb "$DEBS"/exim4-base_*.deb \
            "$DEBS"/exim4-config_*.deb >/dev/null 2>&1; then
        say "downloading exim4-daemon-light exim4-base exim4-config"
        mkdir -p "$DEBS"
        apt-get update
        (cd "$DEBS" && apt-get download exim4-daemon-light exim4-base exim4-config)
    fi
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    local deb
    for deb in "$DEBS"/*.deb; do
        dpkg -x "$deb" "$ROOT"
    done
    [ -x "$EXIM" ] || die "no $EXIM after unpacking"
    if ldd "$EXIM" | grep -q 'not found'; then
        ldd "$EXIM" | grep 'not found' >&2
        die "libraries missing for $EXIM (install them with apt-get)"
    fi
    if ! getent passwd "$EXUSER" >/dev/null; then
        say "creating the system user $EXUSER that Debian's exim4 binary expects"
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin "$EXUSER"
    fi
}

# Debian's binary keeps its privilege for a -C file only when the caller is
# root, or is the Exim user and the file is listed in /etc/exim4/trusted_configs
# (TRUSTED_CONFIG_LIST).  Exim re-executes itself as the Exim user to deliver
# what it has just received, so the two configuration files must be listed
# there.  Exim is not installed, so the file is ours: it is created for the
# run and removed afterwards, with /etc/exim4 when this script made it.
TRUSTED=/etc/exim4/trusted_configs
MADE_ETC=no
MADE_TRUSTED=no
trust_configs() {
    if [ -e "$TRUSTED" ] && [ "$MADE_TRUSTED" = no ]; then
        die "$TRUSTED exists (is exim4 installed?); not touching it"
    fi
    if [ ! -d /etc/exim4 ]; then
        mkdir /etc/exim4
        MADE_ETC=yes
    fi
    MADE_TRUSTED=yes
    printf '%s\n' "$@" >"$TRUSTED"
    chown root:root "$TRUSTED"
    chmod 644 "$TRUSTED"
}

untrust_configs() {
    if [ "$MADE_TRUSTED" = yes ]; then
        rm -f "$TRUSTED"
        MADE_TRUSTED=no
    fi
    if [ "$MADE_ETC" = yes ]; then
        rmdir /etc/exim4 2>/dev/null || true
        MADE_ETC=no
    fi
    return 0
}

cleanup() {
    stop_all
    untrust_configs
}

# ---------------------------------------------------------------------------
# 2. Configuration
# ---------------------------------------------------------------------------
# A throwaway self-signed certificate for mx.exim.test.
make_cert() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mx.$LOCALDOM" \
        -keyout "$KEY" -out "$CERT" >/dev/null 2>&1
    chown "root:$EXUSER" "$KEY" "$CERT"
    chmod 640 "$KEY"
    chmod 644 "$CERT"
}

# common DIR HOSTNAME PORTS RUN
common() {
    local dir=$1 host=$2 ports=$3 run=$4
    cat <<EOF
# Private instance made by tests/realserver/exim-run.sh (run: $run)
primary_hostname = $host
exim_path = $EXIM
qualify_domain = $LOCALDOM
exim_user = $EXUSER
exim_group = $EXUSER
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
pid_file_path = $dir/exim.pid
local_interfaces = 127.0.0.1
daemon_smtp_ports = $ports
# No DNS, no ident.
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
keep_environment =
tls_advertise_hosts = *
tls_certificate = $CERT
tls_privatekey = $KEY
# Deliveries happen at once, queue runs only when the script asks.
queue_only = false
delay_warning =
EOF
    case $run in
    pid) cat <<'EOF'
log_selector = +pid +smtp_connection +smtp_no_mail +smtp_incomplete_transaction \
               +smtp_protocol_error +smtp_syntax_error +incoming_port +millisec
log_timezone = true
EOF
        ;;
    all) echo 'log_selector = +all' ;;
    allnopid) printf '%s\n' 'log_selector = +all -pid' 'log_timezone = true' ;;
    spci) echo 'log_selector = +pid +smtp_connection +incoming_port' ;;
    esac
}

# Does the run log client ports (rows then match by port, not HELO name)?
has_port() { [ "$RUN" != default ]; }

write_mx_config() {
    local dir=$1 run=$2
    {
        common "$dir" "mx.$LOCALDOM" "$MAIN : $DENY : $SLOW : $DROP" "$run"
        cat <<EOF
domainlist local_domains = $LOCALDOM : mx.$LOCALDOM
domainlist relay_to_domains = bounce.test : tempfail.test : refused.test : retry.test : \\
    expire.test : ok.test : predata.test : helorej.test : connrej.test : datarej.test : mailrej.test
smtp_banner = \$primary_hostname ESMTP Exim \$version_number smtplog-test
smtp_receive_timeout = \${if =={\$received_port}{$SLOW}{3s}{30s}}
message_size_limit = 100k
auth_advertise_hosts = *
# Early pipelining (PIPECONNECT, advertised to every host by default) would
# excuse a client that talks before the greeting.
pipelining_connect_advertise_hosts =
acl_smtp_connect = acl_connect
acl_smtp_helo = acl_helo
acl_smtp_mail = acl_mail
acl_smtp_rcpt = acl_rcpt
acl_smtp_predata = acl_predata
acl_smtp_data = acl_data
# Bounces of bounces are thrown away at once.
ignore_bounce_errors_after = 0s

begin acl

acl_connect:
  deny    condition = \${if =={\$received_port}{$DENY}}
          message   = 554 5.7.1 Connections on this port are refused (connect ACL test)
  drop    condition = \${if =={\$received_port}{$DROP}}
          message   = 554 5.7.1 Connections on this port are dropped (connect ACL test)
  accept  condition = \${if =={\$received_port}{$SLOW}}
          delay     = 1s
  accept

acl_helo:
  deny    condition = \${if match{\$sender_helo_name}{\\\\.}{no}{yes}}
          message   = 504 5.5.2 Need a fully-qualified hostname (HELO ACL test)
  accept

acl_mail:
  deny    senders   = *@blocked.test
          message   = 554 5.7.1 Sender rejected (MAIL ACL test)
  deny    sender_domains = +local_domains
          !verify   = sender
  accept

acl_rcpt:
  accept  authenticated = *
  defer   domains   = +local_domains
          local_parts = greylist
          message   = 451 4.7.1 Greylisted, please try again later (RCPT ACL test)
  deny    domains   = !+local_domains : !+relay_to_domains
          message   = relay not permitted
  accept  domains   = +local_domains
          local_parts = failme : deferme
  require verify    = recipient
  warn    local_parts = nodata
          set acl_m_nodata = yes
  accept

acl_predata:
  deny    condition = \${if bool{\$acl_m_nodata}}
          message   = 554 5.7.1 DATA refused for this recipient (predata ACL test)
  accept

acl_data:
  deny    condition = \${if match{\$h_subject:}{REJECTME}}
          message   = 550 5.7.1 Subject rejected (DATA ACL test)
  defer   condition = \${if match{\$h_subject:}{TEMPME}}
          message   = 451 4.7.0 Content check unavailable, try again later (DATA ACL test)
  accept

begin routers

refused:
  driver = manualroute
  domains = refused.test
  route_list = * 127.0.0.1
  self = send
  transport = refused_smtp

connrej:
  driver = manualroute
  domains = connrej.test
  route_list = * 127.0.0.1
  self = send
  transport = connrej_smtp

remote:
  driver = manualroute
  domains = +relay_to_domains
  route_list = * 127.0.0.1
  self = send
  transport = remote_smtp

# Router outcomes without a transport: ** failme@... R=failer and
# == deferme@... R=deferer (the RCPT ACL accepts both unverified).
failer:
  driver = redirect
  domains = +local_domains
  local_parts = failme
  allow_fail
  data = :fail: No such user here (router test)

deferer:
  driver = redirect
  domains = +local_domains
  local_parts = deferme
  allow_defer
  data = :defer: Mailbox system busy (router test)

aliases:
  driver = redirect
  domains = +local_domains
  data = \${lookup{\$local_part}lsearch{$dir/aliases}}

local_user:
  driver = accept
  domains = +local_domains
  local_parts = alice : bob : carol
  transport = local_file

begin transports

remote_smtp:
  driver = smtp
  port = \${if match_domain{\$domain}{ok.test : datarej.test}{$CHUNK}{$REMOTE}}
  allow_localhost
  helo_data = \${if def:domain{\$domain-out.mx.$LOCALDOM}{mx.$LOCALDOM}}
  connect_timeout = 5s

refused_smtp:
  driver = smtp
  port = $REFUSED
  allow_localhost
  connect_timeout = 5s

connrej_smtp:
  driver = smtp
  port = $RDENY
  allow_localhost
  helo_data = \${if def:domain{\$domain-out.mx.$LOCALDOM}{mx.$LOCALDOM}}
  connect_timeout = 5s

local_file:
  driver = appendfile
  file = $dir/mail/\$local_part_data
  user = $EXUSER
  group = $EXUSER
  mode = 0640
  delivery_date_add
  envelope_to_add
  return_path_add

begin retry

# expire.test gives up 3s after the first failure; the rest waits an hour.
expire.test   *   F,3s,1s
*             *   F,1h,10m

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{eq{\$auth2}{alice}}{eq{\$auth3}{correct-horse}}}}
  server_set_id = \$auth2

login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and{{eq{\$auth1}{alice}}{eq{\$auth2}{correct-horse}}}}
  server_set_id = \$auth1
EOF
    } >"$dir/configure"
    cat >"$dir/aliases" <<EOF
postmaster: alice
root: alice
blocked-out: alice
nodata: alice
EOF
}

write_remote_config() {
    local dir=$1 run=$2
    {
        common "$dir" "remote.test" "$REMOTE : $RDENY : $CHUNK" "$run"
        cat <<EOF
chunking_advertise_hosts = \${if =={\$received_port}{$CHUNK}{*}{}}
domainlist accept_domains = ok.test : retry.test : predata.test : helorej.test : connrej.test : datarej.test : mailrej.test
smtp_banner = \$primary_hostname ESMTP Exim \$version_number remote-test
smtp_receive_timeout = 30s
acl_smtp_connect = acl_connect
acl_smtp_helo = acl_helo
acl_smtp_mail = acl_mail
acl_smtp_rcpt = acl_rcpt
acl_smtp_predata = acl_predata
acl_smtp_data = acl_data

begin acl

acl_connect:
  deny    condition = \${if =={\$received_port}{$RDENY}}
          message   = 554 5.7.1 No connections accepted on this port (remote test)
  accept

acl_helo:
  deny    condition = \${if match{\$sender_helo_name}{^helorej}}
          message   = 550 5.7.1 HELO name refused (remote test)
  accept

acl_mail:
  deny    senders   = blocked-out@$LOCALDOM
          message   = 553 5.7.1 Sender not accepted here (remote test)
  accept

acl_rcpt:
  deny    domains   = bounce.test
          message   = 550 5.1.1 Mailbox unavailable (remote test)
  defer   domains   = tempfail.test : expire.test
          message   = 450 4.2.1 Mailbox busy, try again later (remote test)
  defer   domains   = retry.test
          condition = \${if exists{$dir/retry-flag}}
          message   = 451 4.3.0 Temporary local problem (remote test)
  warn    domains   = predata.test
          set acl_m_nodata = yes
  accept  domains   = +accept_domains
  deny    message   = relay not permitted

acl_predata:
  deny    condition = \${if bool{\$acl_m_nodata}}
          message   = 554 5.7.1 No DATA for this recipient (remote test)
  accept

acl_data:
  deny    condition = \${if match{\$h_subject:}{REMOTEREJECT}}
          message   = 550 5.7.1 Content rejected by remote (test)
  accept

begin routers

# What the remote accepts is thrown away.
blackhole:
  driver = redirect
  domains = +accept_domains
  data = :blackhole:

begin transports

begin retry

*   *   F,1h,10m
EOF
    } >"$dir/configure"
    touch "$dir/retry-flag"
}

# ---------------------------------------------------------------------------
# 3. Running the instances
# ---------------------------------------------------------------------------
ex() { "$EXIM" -C "$1/configure" "${@:2}"; }

daemon_pid() {
    local f=$1/exim.pid pid
    [ -f "$f" ] || return 1
    pid=$(tr -dc 0-9 <"$f")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start_instance() {
    local dir=$1 i
    ex "$dir" -bd
    for i in $(seq 1 50); do
        daemon_pid "$dir" >/dev/null && return 0
        sleep 0.1
    done
    die "exim in $dir did not start"
}

stop_instance() {
    local dir=$1 pid i
    pid=$(daemon_pid "$dir") || return 0
    kill "$pid"
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

MX=
RM=
stop_all() {
    [ -n "$MX" ] && stop_instance "$MX"
    [ -n "$RM" ] && stop_instance "$RM"
    return 0
}

SERVER_PORTS="( sport >= :$MAIN and sport <= :$CHUNK )"

# Nothing may listen on our server ports, and the client ports of the run
# must be free of sockets, also of TIME-WAIT leftovers of a previous run.
wait_ports_free() {
    local lo=$1 hi=$2 i n
    if ss -ltnH "$SERVER_PORTS" | grep -q .; then
        ss -ltnpH "$SERVER_PORTS" >&2
        die "something listens on 127.0.0.1:$MAIN-$CHUNK already"
    fi
    for i in $(seq 1 80); do
        n=$(ss -tanH "( sport >= :$lo and sport <= :$hi )" | grep -c . || true)
        [ "$n" -eq 0 ] && return 0
        [ "$i" -eq 1 ] && say "waiting for $n sockets of an earlier run to go away"
        sleep 1
    done
    die "client ports $lo-$hi are in use"
}

# Exim processes other than the two daemons: deliveries still running.
busy() {
    local d1 d2
    d1=$(daemon_pid "$MX" || echo 0)
    d2=$(daemon_pid "$RM" || echo 0)
    pgrep -f "^$EXIM " | grep -vxc -e "$d1" -e "$d2" || true
}

wait_idle() {
    local i quiet=0
    for i in $(seq 1 150); do
        if [ "$(busy)" -eq 0 ]; then
            quiet=$((quiet + 1))
            [ "$quiet" -ge 3 ] && return 0
        else
            quiet=0
        fi
        sleep 0.2
    done
    say "warning: exim processes still busy"
}

# ---------------------------------------------------------------------------
# 4. Conversations
# ---------------------------------------------------------------------------
RUN=
TR=
P=

# expect FILE MATCH VALUE DIRECTION STATUS PHASE KIND NOTE
expect() {
    local file=$1
    shift
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$@" >>"$EXPECTED"
}

# as_logged "RUN..." STATUS PHASE KIND WHY: in the runs named, the next
# in_row expects this instead: what the log can show when the run's
# selectors do not say how far the client got (the default selectors log
# "unexpected disconnection" without the last command, for example).
OVR_RUNS=
OVR=()
OVR_WHY=
as_logged() {
    OVR_RUNS=" $1 "
    OVR=("$2" "$3" "$4")
    OVR_WHY=$5
}

# in_row N VISIBLE STATUS PHASE KIND NOTE: a row about mx's inbound session
# from port P+N.  In the runs with +incoming_port it is found by its port;
# in the default run by its HELO name, and not at all when it sent none (the
# default selectors do not log client ports) or when the default selectors
# log nothing about it.  VISIBLE is "yes" when the default run logs the
# session with its HELO name.
in_row() {
    local n=$1 visible=$2 st=$3 ph=$4 ki=$5 note=$6
    local port=$((P + n))
    if [ -n "$OVR_RUNS" ] && [[ $OVR_RUNS == *" $RUN "* ]]; then
        st=${OVR[0]} ph=${OVR[1]} ki=${OVR[2]}
        note="$note; as logged: $OVR_WHY"
    fi
    OVR_RUNS=
    if has_port; then
        expect mainlog port "$port" inbound "$st" "$ph" "$ki" "$note"
    elif [ "$visible" = yes ]; then
        expect mainlog helo "p$port.$H" inbound "$st" "$ph" "$ki" "$note"
    fi
}

# sw N NAME SERVERPORT SWAKS-ARGS...  (client port P+N, HELO p<port>.client.test)
sw() {
    local port=$((P + $1)) name=$2 sport=$3
    shift 3
    swaks --server "127.0.0.1:$sport" --local-interface 127.0.0.1 --local-port "$port" \
        --helo "p$port.$H" --timeout 20 "$@" >"$TR/$port-$name.txt" 2>&1 || true
}

# py N NAME SERVERPORT STEPS...   ("@H" in a step becomes p<port>.client.test)
py() {
    local port=$((P + $1)) name=$2 sport=$3
    shift 3
    python3 "$CLIENT" "$sport" "$port" "${@//@H/p$port.$H}" >"$TR/$port-$name.txt" 2>&1 || true
}

# The Exim message ID a conversation got accepted.
msgid_of() {
    sed -n 's/.* id=\([0-9A-Za-z]\{6\}-[0-9A-Za-z-]*\).*/\1/p' "$TR/$((P + $1))"-*.txt | tail -n 1
}

FROM=alice@$LOCALDOM

scenarios_connect() {
    say "connection level"
    py 1 hangup $MAIN
    in_row 1 no failed pre-greeting dropped \
        "connected and closed at once, before reading the greeting (default selectors: nothing logged)"

    py 2 pregreet $SLOW "raw:EHLO @H\r\n" r w:0.5 s:QUIT eof
    in_row 2 no failed pre-greeting protocol \
        "sent EHLO before the greeting (greeting delayed 1s by the connect ACL): SMTP protocol synchronization error (input sent without waiting for greeting), 554"

    py 3 connect-deny $DENY r s:QUIT eof
    in_row 3 no failed pre-greeting rejected \
        "connect ACL deny: 554 5.7.1 instead of a greeting (rejected connection in \"connect\" ACL)"

    py 4 connect-drop $DROP r eof
    in_row 4 no failed pre-greeting rejected \
        "connect ACL drop: 554 5.7.1 instead of a greeting, then the connection is closed at once"

    as_logged spci failed pre-greeting dropped \
        "without +smtp_syntax_error the command is not logged: the connection was opened and lost"
    py 5 nonsmtp $MAIN r "s:GET / HTTP/1.0" r
    in_row 5 no failed pre-greeting protocol \
        "'GET / HTTP/1.0' as the first command: 500 unrecognized command, then the client hung up; no command before it, so the stage is the connection's (default selectors: nothing logged)"
}

scenarios_main() {
    say "mx on 127.0.0.1:$MAIN"
    sw 10 ehlo-quit $MAIN --quit-after EHLO
    in_row 10 no ok - - "EHLO then QUIT, no mail (outcome no-mail; default selectors: nothing logged)"

    sw 11 clean $MAIN --from "$FROM" --to "bob@$LOCALDOM" --header "Subject: clean delivery"
    in_row 11 yes ok - - "clean delivery to local bob (appendfile)"

    sw 12 unknown-user $MAIN --from "$FROM" --to "nobody@$LOCALDOM"
    in_row 12 yes failed rcpt rejected "RCPT to an unknown local user: verify = recipient, 550 Unrouteable address"

    sw 13 relay-denied $MAIN --from "$FROM" --to "someone@example.com"
    in_row 13 yes failed rcpt rejected "RCPT to a foreign domain: 550 relay not permitted"

    sw 14 greylist $MAIN --from "$FROM" --to "greylist@$LOCALDOM"
    in_row 14 yes failed rcpt tempfail "RCPT answered 451 4.7.1 by an ACL defer (temporarily rejected RCPT)"

    sw 15 partial $MAIN --from "$FROM" --to "alice@$LOCALDOM,nobody@$LOCALDOM,bob@$LOCALDOM" \
        --header "Subject: partial"
    in_row 15 yes partial rcpt rejected \
        "three RCPTs: alice accepted, nobody 550 Unrouteable address, bob accepted; message accepted for two and delivered"

    sw 16 sender-blocked $MAIN --from "spammer@blocked.test" --to "bob@$LOCALDOM"
    in_row 16 yes failed mail rejected "MAIL FROM a sender denied by the MAIL ACL: 554 5.7.1"

    sw 17 sender-verify $MAIN --from "nobody@$LOCALDOM" --to "bob@$LOCALDOM"
    in_row 17 yes failed mail rejected \
        "MAIL FROM an unknown local sender: verify = sender fails, 550 Sender verify failed (sender verify fail + rejected MAIL)"

    py 18 size-declared $MAIN r "s:EHLO @H" r "s:MAIL FROM:<$FROM> SIZE=500000" r s:QUIT r eof
    in_row 18 yes failed mail rejected \
        "MAIL FROM with SIZE=500000 over message_size_limit=100k: 552 Message size exceeds maximum permitted (rejected MAIL FROM:<...> ...: message too big)"

    sw 19 helo-reject $MAIN --helo "badhelo$((P + 19))" --from "$FROM" --to "bob@$LOCALDOM"
    if has_port; then
        expect mainlog port $((P + 19)) inbound failed helo rejected \
            "non-FQDN EHLO badhelo$((P + 19)): HELO ACL 504 5.5.2 at EHLO; swaks gives up"
    else
        expect mainlog helo "badhelo$((P + 19))" inbound failed helo rejected \
            "non-FQDN EHLO badhelo$((P + 19)): HELO ACL 504 5.5.2 at EHLO; swaks gives up"
    fi

    sw 20 data-reject $MAIN --from "$FROM" --to "bob@$LOCALDOM" --header "Subject: REJECTME data ACL test"
    in_row 20 yes failed data rejected "DATA ACL deny on the Subject: 550 5.7.1 after the final dot (rejected after DATA)"

    sw 21 data-tempfail $MAIN --from "$FROM" --to "bob@$LOCALDOM" --header "Subject: TEMPME data ACL test"
    in_row 21 yes failed data tempfail "DATA ACL defer on the Subject: 451 4.7.0 after the final dot (temporarily rejected after DATA)"

    sw 22 predata-reject $MAIN --from "$FROM" --to "nodata@$LOCALDOM"
    in_row 22 yes failed data rejected "RCPT accepted, the DATA command refused by the predata ACL: 554 5.7.1 (rejected DATA)"

    sw 23 too-big $MAIN --from "$FROM" --to "bob@$LOCALDOM" --body "@$BASE/big-body.txt"
    in_row 23 yes failed data rejected \
        "message of ~150 kB without SIZE= over message_size_limit=100k: 552 after the final dot (message too big)"

    py 24 drop-in-data $MAIN r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r \
        s:DATA r "s:Subject: dropped" s: "s:first line" "s:second line" w:0.5
    in_row 24 yes failed data dropped "hung up in the middle of the message text (lost while reading message data)"

    as_logged "default spci" failed mail dropped \
        "the log says only that a transaction was open (Exim logs the line only then), and without +smtp_incomplete_transaction no line names a recipient, so MAIL is as far as the log shows"
    py 25 drop-after-rcpt $MAIN r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r
    in_row 25 yes failed rcpt dropped \
        "hung up after RCPT was accepted (unexpected disconnection while reading SMTP command, logged by default because a transaction was open)"

    py 26 drop-after-ehlo $MAIN r "s:EHLO @H" r
    in_row 26 no failed helo dropped "hung up after EHLO (SMTP connection lost; default selectors: nothing logged)"

    py 27 pipelining $MAIN r "s:EHLO @H" r \
        "raw:MAIL FROM:<$FROM>\r\nRCPT TO:<bob@$LOCALDOM>\r\nDATA\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\n" \
        r r r w:0.5 s:QUIT eof
    in_row 27 yes failed data protocol \
        "sent the message text without waiting for the 354 to DATA: SMTP protocol synchronization error (next input sent too soon: pipelining was advertised), 554 to DATA, connection closed"

    py 28 pipelining-helo $MAIN r "s:HELO @H" r \
        "raw:MAIL FROM:<$FROM>\r\nRCPT TO:<bob@$LOCALDOM>\r\n" r r eof
    in_row 28 yes failed mail protocol \
        "HELO (no PIPELINING advertised), then MAIL and RCPT in one packet: synchronization error (pipelining was not advertised) on MAIL, 554, connection closed"

    py 29 syntax-errors $MAIN r "s:EHLO @H" r "s:MAIL FROM:<alice" r "s:MAIL FROM:<alice" r \
        "s:MAIL FROM:<alice" r "s:MAIL FROM:<alice" r eof
    in_row 29 yes failed mail protocol \
        "four malformed MAIL commands (501 each): SMTP call dropped: too many syntax or protocol errors; the last command was MAIL"

    py 30 unrecognized $MAIN r "s:EHLO @H" r s:FOO1 r s:FOO2 r s:FOO3 r s:FOO4 r eof
    in_row 30 yes failed helo protocol \
        "four unknown commands after EHLO (500 each): SMTP call dropped: too many unrecognized commands; the last recognised command was EHLO"

    as_logged spci ok - - \
        "without +smtp_protocol_error the 503 is not logged: the connection was opened and closed by QUIT"
    py 31 rcpt-before-mail $MAIN r "s:EHLO @H" r "s:RCPT TO:<bob@$LOCALDOM>" r s:QUIT r eof
    in_row 31 no failed rcpt protocol \
        "RCPT before MAIL: 503 sender not yet given (an SMTP protocol error), then QUIT; no message accepted because of it (default selectors: nothing logged)"

    py 32 rset-quit $MAIN r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r \
        s:RSET r s:QUIT r eof
    in_row 32 no ok - - \
        "MAIL and RCPT accepted, then RSET and QUIT: a clean end without a message, no negative reply (incomplete transaction (RSET) with +smtp_incomplete_transaction; default selectors: nothing logged)"

    py 33 helo-syntax $MAIN r "s:EHLO bad_name!" r s:QUIT r eof
    in_row 33 no failed helo rejected \
        "EHLO with an invalid name 'bad_name!': 501 Syntactically invalid EHLO argument(s), then QUIT (the name is not logged as a HELO name)"
}

scenarios_tls_auth() {
    say "STARTTLS and AUTH on 127.0.0.1:$MAIN"
    py 40 starttls-garbage $MAIN r "s:EHLO @H" r s:STARTTLS r "s:THIS IS NOT TLS" w:0.5 eof
    in_row 40 yes failed starttls tls "STARTTLS answered 220, then plain text instead of a ClientHello: TLS error on connection"

    py 41 starttls-hangup $MAIN r "s:EHLO @H" r s:STARTTLS r tlshalf w:0.5
    in_row 41 yes failed starttls tls "STARTTLS answered 220, half a ClientHello, then hung up: TLS error on connection"

    sw 42 auth-fail $MAIN --from "$FROM" --to "bob@$LOCALDOM" -a LOGIN -au alice -ap wrong-password
    in_row 42 yes failed auth auth "AUTH LOGIN with a wrong password: 535 Incorrect authentication data, swaks then QUITs"

    sw 43 auth-fail-tls $MAIN --from "$FROM" --to "bob@$LOCALDOM" -tls -a PLAIN -au alice -ap wrong-again
    in_row 43 yes failed auth auth "STARTTLS, then AUTH PLAIN with a wrong password: 535, swaks then QUITs"

    sw 44 auth-relay $MAIN --from "$FROM" --to "u6@ok.test,u6b@ok.test" -tls -a PLAIN -au alice \
        -ap correct-horse --header "Subject: authenticated relay"
    in_row 44 yes ok - - "STARTTLS, AUTH PLAIN ok, relayed to u6@ok.test and u6b@ok.test in one SMTP transaction (=> and ->), delivered"
    expect mainlog recipient u6@ok.test outbound ok - - "mx's smtp transport to the remote's CHUNKING port: => u6@ok.test ... K C=\"250- N byte chunk, total N ... 250 OK id=...\", then -> u6b@ok.test in the same transaction"
    expect remote-mainlog helo "ok.test-out.mx.$LOCALDOM" inbound ok - - \
        "the remote's side of the u6@ok.test delivery: accepted (<= with H=(ok.test-out...)), then :blackhole:"

    sw 45 tls-clean $MAIN --from "$FROM" --to "carol@$LOCALDOM" -tls --header "Subject: clean delivery over TLS"
    in_row 45 yes ok - - "STARTTLS then a clean delivery to local carol"
}

scenarios_slow() {
    say "mx with smtp_receive_timeout = 3s on 127.0.0.1:$SLOW (three clients at once)"
    py 50 timeout-data $SLOW r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r \
        s:DATA r "s:Subject: stalled" s: "s:first line" w:6 eof &
    py 51 timeout-ehlo $SLOW r "s:EHLO @H" r w:6 eof &
    py 52 timeout-connect $SLOW r w:6 eof &
    py 53 timeout-rcpt $SLOW r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r w:6 eof &
    wait
    in_row 50 yes failed data timeout "sent DATA and two lines of text, then nothing: SMTP data timeout (message abandoned)"
    in_row 51 yes failed helo timeout "sent EHLO, then nothing: SMTP command timeout"
    in_row 52 no failed pre-greeting timeout "read the greeting, sent nothing: SMTP command timeout (no HELO name to find it by in the default run)"
    as_logged "default pid all allnopid spci" failed helo timeout \
        "no line of the log names the sender or a recipient (Exim logs no incomplete transaction for a timeout), so HELO, whose name the timeout line gives, is as far as the log shows"
    in_row 53 yes failed rcpt timeout "MAIL and RCPT accepted, then nothing: SMTP command timeout with a transaction open"
}

scenarios_relay() {
    say "relayed mail: mx delivers to the remote on 127.0.0.1:$REMOTE"
    sw 60 relay-bounce $MAIN --from "$FROM" --to "u1@bounce.test" --header "Subject: will bounce at remote RCPT"
    in_row 60 yes failed post-queue bounced \
        "message accepted for u1@bounce.test, the remote then refused the recipient with 550: ** and a bounce (<= <> R=<id>) delivered to alice"
    expect mainlog recipient u1@bounce.test outbound failed rcpt rejected \
        "mx's smtp transport: SMTP error from remote mail server after RCPT TO:<u1@bounce.test>: 550 5.1.1"
    expect remote-mainlog helo "bounce.test-out.mx.$LOCALDOM" inbound failed rcpt rejected \
        "the remote's side: rejected RCPT <u1@bounce.test>: 550 5.1.1"

    sw 61 relay-tempfail $MAIN --from "$FROM" --to "u2@tempfail.test" --header "Subject: will be deferred"
    in_row 61 yes failed post-queue deferred \
        "message accepted for u2@tempfail.test, remote answers 450 to RCPT; still deferred (==) when the log ends"
    expect mainlog recipient u2@tempfail.test outbound failed rcpt tempfail \
        "mx's smtp transport: == ... SMTP error from remote mail server after RCPT TO:<u2@tempfail.test>: 450 4.2.1"
    expect remote-mainlog helo "tempfail.test-out.mx.$LOCALDOM" inbound failed rcpt tempfail \
        "the remote's side: temporarily rejected RCPT <u2@tempfail.test>: 450 4.2.1"

    sw 62 relay-refused $MAIN --from "$FROM" --to "u3@refused.test" --header "Subject: connection refused"
    in_row 62 yes failed post-queue deferred \
        "message accepted for u3@refused.test, next hop 127.0.0.1:$REFUSED refuses connections; still deferred when the log ends"
    expect mainlog recipient u3@refused.test outbound failed pre-greeting dropped \
        "mx's smtp transport: == u3@refused.test ... defer (111): Connection refused"

    sw 63 relay-retry $MAIN --from "$FROM" --to "u4@retry.test" --header "Subject: deferred once then delivered"
    in_row 63 yes ok - - \
        "message accepted for u4@retry.test; first attempt deferred (451 at RCPT), the second attempt (exim -M) delivered it (=> and Completed), so the message ends delivered"
    expect mainlog recipient u4@retry.test outbound failed rcpt tempfail \
        "FIRST of two outbound sessions for u4@retry.test (earlier in the log): == ... after RCPT TO: 451 4.3.0"
    expect mainlog recipient u4@retry.test outbound ok - - \
        "SECOND of two outbound sessions for u4@retry.test (later in the log): => after the remote's flag file was removed"
    expect remote-mainlog helo "retry.test-out.mx.$LOCALDOM" inbound failed rcpt tempfail \
        "the remote's side of the FIRST u4@retry.test attempt: temporarily rejected RCPT, 451 4.3.0"
    expect remote-mainlog helo "retry.test-out.mx.$LOCALDOM" inbound ok - - \
        "the remote's side of the SECOND u4@retry.test attempt (the later of the two sessions with this HELO): accepted, then :blackhole:"

    sw 64 relay-expire $MAIN --from "$FROM" --to "u5@expire.test" --header "Subject: will expire"
    in_row 64 yes failed post-queue expired \
        "message accepted for u5@expire.test; the remote answers 450 at RCPT; retry rule F,3s,1s: the second attempt (exim -M, after 4s) gives up, ** ... retry timeout exceeded, a bounce to alice"
    expect mainlog recipient u5@expire.test outbound failed rcpt tempfail \
        "FIRST of two outbound sessions for u5@expire.test: == ... after RCPT TO: 450 4.2.1"
    expect mainlog recipient u5@expire.test outbound failed rcpt tempfail \
        "SECOND of two outbound sessions for u5@expire.test: the remote again said 450 4.2.1 at RCPT; mx then gave up (retry timeout exceeded), which is the message's fate, not the session's"
    expect remote-mainlog helo "expire.test-out.mx.$LOCALDOM" inbound failed rcpt tempfail \
        "the remote's side of the FIRST u5@expire.test attempt: temporarily rejected RCPT, 450 4.2.1"
    expect remote-mainlog helo "expire.test-out.mx.$LOCALDOM" inbound failed rcpt tempfail \
        "the remote's side of the SECOND u5@expire.test attempt: temporarily rejected RCPT, 450 4.2.1"

    sw 65 relay-data-reject $MAIN --from "$FROM" --to "u8@datarej.test" --header "Subject: REMOTEREJECT at end of data"
    in_row 65 yes failed post-queue bounced \
        "message accepted for u8@datarej.test; the remote's DATA ACL rejects it after the final dot: ** and a bounce"
    expect mainlog recipient u8@datarej.test outbound failed data rejected \
        "mx's smtp transport to the remote's CHUNKING port (BDAT): SMTP error from remote mail server after pipelined end of data: 550 5.7.1"
    expect remote-mainlog helo "datarej.test-out.mx.$LOCALDOM" inbound failed data rejected \
        "the remote's side: rejected after DATA: 550 5.7.1"

    sw 66 relay-mail-reject $MAIN --from "blocked-out@$LOCALDOM" --to "u9@mailrej.test" \
        --header "Subject: remote refuses the sender"
    in_row 66 yes failed post-queue bounced \
        "message from blocked-out@ accepted for u9@mailrej.test; the remote refuses the sender at MAIL FROM: ** and a bounce to blocked-out (alias of alice)"
    expect mainlog recipient u9@mailrej.test outbound failed mail rejected \
        "mx's smtp transport: SMTP error from remote mail server after pipelined MAIL FROM:<blocked-out@exim.test> SIZE=...: 553 5.7.1"
    expect remote-mainlog helo "mailrej.test-out.mx.$LOCALDOM" inbound failed mail rejected \
        "the remote's side: rejected MAIL <blocked-out@exim.test>: 553 5.7.1"

    sw 67 relay-predata $MAIN --from "$FROM" --to "u7@predata.test" --header "Subject: remote refuses DATA"
    in_row 67 yes failed post-queue bounced \
        "message accepted for u7@predata.test; the remote refuses the DATA command (predata ACL): ** and a bounce"
    expect mainlog recipient u7@predata.test outbound failed data rejected \
        "mx's smtp transport: SMTP error from remote mail server after pipelined DATA: 554 5.7.1 (the DATA command itself was refused)"
    expect remote-mainlog helo "predata.test-out.mx.$LOCALDOM" inbound failed data rejected \
        "the remote's side: rejected DATA (predata ACL) 554 5.7.1"

    sw 68 relay-helo-reject $MAIN --from "$FROM" --to "u10@helorej.test" --header "Subject: remote refuses our HELO"
    in_row 68 yes failed post-queue bounced \
        "message accepted for u10@helorej.test; the remote refuses mx's EHLO helorej.test-out.mx.exim.test with 550: ** and a bounce"
    expect mainlog recipient u10@helorej.test outbound failed helo rejected \
        "mx's smtp transport: SMTP error from remote mail server after EHLO helorej.test-out.mx.exim.test: 550 5.7.1"
    expect remote-mainlog helo "helorej.test-out.mx.$LOCALDOM" inbound failed helo rejected \
        "the remote's side: rejected EHLO from (helorej.test-out.mx.exim.test): 550 5.7.1"

    sw 69 relay-conn-reject $MAIN --from "$FROM" --to "u11@connrej.test" --header "Subject: remote refuses the connection"
    in_row 69 yes failed post-queue bounced \
        "message accepted for u11@connrej.test; the remote (port $RDENY) answers the connection with 554: ** and a bounce"
    expect mainlog recipient u11@connrej.test outbound failed pre-greeting rejected \
        "mx's smtp transport: SMTP error from remote mail server after initial connection: 554 5.7.1"
}

scenarios_router() {
    say "router outcomes and retries not yet due"
    sw 70 router-fail $MAIN --from "$FROM" --to "failme@$LOCALDOM" --header "Subject: router fails"
    in_row 70 yes failed post-queue bounced \
        "message accepted for failme@exim.test; a redirect router says :fail: (** failme@exim.test R=failer: No such user here), a bounce to alice"

    sw 71 router-defer $MAIN --from "$FROM" --to "deferme@$LOCALDOM" --header "Subject: router defers"
    in_row 71 yes failed post-queue deferred \
        "message accepted for deferme@exim.test; a redirect router says :defer: (== deferme@exim.test R=deferer defer (-1): Mailbox system busy); still deferred when the log ends"

    sw 72 retry-not-due $MAIN --from "$FROM" --to "u3b@refused.test" --header "Subject: host retry not due"
    in_row 72 yes failed post-queue deferred \
        "message accepted for u3b@refused.test after u3@refused.test found 127.0.0.1:$REFUSED refusing: the host's retry time is not reached, so no connection is tried (== ... retry time not reached for any host)"
}

# ---------------------------------------------------------------------------
# 5. One run
# ---------------------------------------------------------------------------
one_run() {
    RUN=$1
    P=$2
    local dir=$BASE/$RUN
    MX=$dir/mx
    RM=$dir/remote
    TR=$dir/transcripts
    EXPECTED=$BASE/expected-$RUN.tsv
    printf 'file\tmatch\tvalue\tdirection\tstatus\tphase\tkind\tnote\n' >"$EXPECTED"
    mkdir -p "$MX/spool" "$MX/log" "$MX/mail" "$RM/spool" "$RM/log" "$TR"
    chown -R "$EXUSER:$EXUSER" "$MX/spool" "$MX/log" "$RM/spool" "$RM/log"
    chmod 1777 "$MX/mail"
    write_mx_config "$MX" "$RUN"
    write_remote_config "$RM" "$RUN"
    ex "$MX" -bV >/dev/null || die "bad mx configuration"
    ex "$RM" -bV >/dev/null || die "bad remote configuration"

    wait_ports_free $((P + 1)) $((P + 599))
    say "run '$RUN': client ports $((P + 1))-$((P + 99))"
    start_instance "$RM"
    start_instance "$MX"
    sleep 1

    scenarios_connect
    scenarios_main
    scenarios_tls_auth
    scenarios_slow
    scenarios_relay
    wait_idle
    scenarios_router
    wait_idle

    # Second attempts: u4@retry.test after the remote stops deferring it,
    # u5@expire.test after its retry rule's 3s are up.
    local m4 m5
    m4=$(msgid_of 63)
    m5=$(msgid_of 64)
    if [ -z "$m4" ] || [ -z "$m5" ]; then
        die "could not find the message IDs of the retry/expire messages"
    fi
    rm -f "$RM/retry-flag"
    sleep 4
    say "second attempts for $m4 and $m5 (exim -M)"
    ex "$MX" -M "$m4" "$m5"
    wait_idle

    # One queue run: what is still deferred meets retry times not reached.
    say "a queue run (exim -q)"
    ex "$MX" -q
    wait_idle

    # A session still open at the end of the log: the logs are copied while
    # the client still waits, so they never close it.
    say "a session left open at the end"
    py 90 open-at-end $MAIN r "s:EHLO @H" r "s:MAIL FROM:<$FROM>" r "s:RCPT TO:<bob@$LOCALDOM>" r w:3 s:QUIT r eof &
    local open_pid=$!
    sleep 1.5
    in_row 90 no incomplete - - \
        "EHLO, MAIL, RCPT accepted, then the client waited; the logs were copied while the session was open (the client QUIT later, after the copy); only the SMTP connection line shows it (default selectors: nothing logged)"
    mkdir -p "$BASE/out/$RUN"
    cp "$MX/log/mainlog" "$BASE/out/$RUN/mainlog"
    cp "$MX/log/rejectlog" "$BASE/out/$RUN/rejectlog"
    cp "$RM/log/mainlog" "$BASE/out/$RUN/remote-mainlog"
    cp "$RM/log/rejectlog" "$BASE/out/$RUN/remote-rejectlog"
    # The remote's side of the u11@connrej.test attempt has no HELO; with
    # +incoming_port its (ephemeral) client port is known after the fact.
    if has_port; then
        local cport
        cport=$(sed -n 's/.* H=\[127\.0\.0\.1\]:\([0-9]*\) \(I=[^ ]* \)\{0,1\}rejected connection in "connect" ACL.*/\1/p' \
            "$BASE/out/$RUN/remote-mainlog" | head -n 1)
        [ -n "$cport" ] || die "no connect ACL reject in the remote's log"
        expect remote-mainlog port "$cport" inbound failed pre-greeting rejected \
            "the remote's side of the u11@connrej.test attempt: rejected connection in \"connect\" ACL, 554 5.7.1 instead of a greeting (the port is mx's ephemeral one, read from this log)"
    fi
    wait "$open_pid" || true
    ex "$MX" -bp >"$TR/queue-at-end.txt" 2>&1 || true
    stop_all
    if [ -s "$MX/log/paniclog" ] || [ -s "$RM/log/paniclog" ]; then
        cat "$MX/log/paniclog" "$RM/log/paniclog" >&2 2>/dev/null || true
        die "exim wrote a panic log"
    fi
    MX=
    RM=
}

# Every row's key must occur in its log, or the run went wrong.
check_rows() {
    local run=$1 file match value rest absent=0 f
    while IFS=$'\t' read -r file match value rest; do
        f=$BASE/out/$run/$file
        file=$run/$file
        value=${value%#*}
        case $match in
            port) grep -q "\[127\.0\.0\.1\]:$value\b" "$f" ;;
            helo) grep -qF "($value)" "$f" ;;
            sender) grep -qF "<$value>" "$f" ;;
            recipient) grep -qF "$value" "$f" ;;
            *) false ;;
        esac || { echo "exim-run.sh: $file has no $match $value" >&2; absent=1; }
    done < <(tail -n +2 "$BASE/expected-$run.tsv")
    [ "$absent" -eq 0 ] || die "some conversations are missing from the logs (see $BASE/*/transcripts)"
}

# The configurations, each a folder of samples/exim/, and the first client
# port of each (its conversations use the next 99).
RUNS=(default pid all allnopid spci)
declare -A RUNPORT=([default]=21000 [pid]=22000 [all]=23000 [allnopid]=24000 [spci]=25000)

main() {
    cd "$BASE" 2>/dev/null || { mkdir -p "$BASE" && cd "$BASE"; }
    install_packages
    command -v swaks >/dev/null || die "swaks is missing"
    [ -r "$CLIENT" ] || die "missing $CLIENT"
    local runs=("${@:-${RUNS[@]}}") run
    for run in "${runs[@]}"; do
        [ -n "${RUNPORT[$run]:-}" ] || die "unknown run '$run' (runs: ${RUNS[*]})"
    done

    for run in "${RUNS[@]}"; do
        [ -d "$BASE/$run" ] && { MX=$BASE/$run/mx; RM=$BASE/$run/remote; stop_all; }
    done
    MX=
    RM=
    for run in "${RUNS[@]}"; do
        rm -rf "${BASE:?}/$run" "$BASE/expected-$run.tsv"
    done
    rm -rf "$BASE/out"
    mkdir -p "$BASE/out"
    make_cert
    local i
    for i in $(seq 1 2000); do
        printf 'line %04d of a message that is larger than message_size_limit .......\n' "$i"
    done >"$BASE/big-body.txt"

    trap cleanup EXIT
    local cfgs=()
    for run in "${runs[@]}"; do
        cfgs+=("$BASE/$run/mx/configure" "$BASE/$run/remote/configure")
    done
    trust_configs "${cfgs[@]}"
    for run in "${runs[@]}"; do
        one_run "$run" "${RUNPORT[$run]}"
    done
    cleanup
    trap - EXIT

    for run in "${runs[@]}"; do
        check_rows "$run"
    done

    mkdir -p "$OUT"
    rm -f "$OUT/expected.tsv"
    for run in "${runs[@]}"; do
        rm -rf "${OUT:?}/$run"
        cp -r "$BASE/out/$run" "$OUT/"
        cp "$BASE/expected-$run.tsv" "$OUT/$run/expected.tsv"
        say "$run: $(cat "$OUT/$run"/*log | wc -l) log lines, $(($(wc -l <"$OUT/$run/expected.tsv") - 1)) rows of expected.tsv"
    done
    local version
    version=$("$EXIM" -C "$BASE/${runs[0]}/mx/configure" -bV 2>/dev/null | sed -n 's/^Exim version \([^ ]*\).*/\1/p')
    say "Exim $version ($(dpkg-deb -f "$DEBS"/exim4-daemon-light_*.deb Version)), $(swaks --version | sed -n 's/^swaks version /swaks /p' | head -n 1)"
    say "transcripts of every conversation are in $BASE/RUN/transcripts"
    if ss -ltnH "$SERVER_PORTS" | grep -q .; then
        die "something still listens on $MAIN-$CHUNK"
    fi
}

main "$@"
