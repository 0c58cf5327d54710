# shellcheck shell=bash
# postfix-matrix.sh: the configuration matrix of postfix-run.sh.
# Sourced by postfix-run.sh ("postfix-run.sh matrix"); not run on its own.
#
# Why: one configuration shows one way of refusing. Postfix refuses many
# commands without a "reject:" line (a MAIL that needs STARTTLS first, an
# AUTH that is not offered, a MAIL before HELO), moves refusals from one
# command to another (smtpd_delay_reject), ends sessions on its own
# (smtpd_hard_error_limit) and logs differently (client ports, long queue
# IDs). So the same scripted conversations run through one private mx
# instance per configuration, each writing samples/postfix/CONFIG/mail.log
# and samples/postfix/CONFIG/expected.tsv. The verdict of each row is what
# happened on the wire (the transcripts in $M_BASE/CONFIG/transcripts).
#
# Only 127.0.0.1:10025 listens; client ports are 26000 + 100 * (configuration number) + n,
# apart from the Exim runs' 21xxx and 22xxx.

M_BASE=${M_BASE:-/tmp/smtplog-postfix-matrix}
M_CONFIGS="delay-reject-no delay-reject-yes tls-auth-only tls-encrypt
unauth-pipelining helo-required hard-error-limit postscreen-deep
no-port-logging long-queue-ids"
M_CLIENT_PORTS="( sport >= :26100 and sport <= :27099 )"

# m_main_cf: main.cf of the mx instance for one configuration.
m_main_cf() {
    main_cf_common "$ETC" "$SPOOL" "$DATA" "$LOG" "mx.$LOCALDOM"
    cat <<EOF
mydomain = $LOCALDOM
myorigin = \$mydomain
mydestination = \$mydomain, localhost
alias_maps = hash:$ETC/aliases
alias_database = hash:$ETC/aliases
local_recipient_maps = \$alias_maps
smtpd_banner = \$myhostname ESMTP smtplog-test
smtpd_helo_required = no
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender, check_sender_access hash:$ETC/sender_access
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_non_fqdn_recipient
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $ETC/sasl
smtpd_sasl_local_domain = $LOCALDOM
smtpd_error_sleep_time = 0
EOF
}

# m_overrides CONFIG: the parameters that make the configuration, one
# "name = value" a line, applied with postconf -e over m_main_cf.
m_overrides() {
    case $1 in
    delay-reject-no) echo "smtpd_delay_reject = no" ;;
    delay-reject-yes) echo "smtpd_delay_reject = yes" ;;
    tls-auth-only) echo "smtpd_tls_auth_only = yes" ;;
    unauth-pipelining)
        echo "smtpd_delay_reject = no"
        echo "smtpd_sender_restrictions = reject_unauth_pipelining, reject_non_fqdn_sender, check_sender_access hash:\$config_directory/sender_access"
        echo "smtpd_data_restrictions = reject_unauth_pipelining"
        ;;
    helo-required) echo "smtpd_helo_required = yes" ;;
    hard-error-limit)
        echo "smtpd_soft_error_limit = 2"
        echo "smtpd_hard_error_limit = 3"
        ;;
    postscreen-deep)
        cat <<'EOF2'
postscreen_greet_action = enforce
postscreen_greet_wait = 2s
postscreen_pipelining_enable = yes
postscreen_pipelining_action = enforce
postscreen_non_smtp_command_enable = yes
postscreen_non_smtp_command_action = enforce
postscreen_bare_newline_enable = yes
postscreen_bare_newline_action = enforce
postscreen_cache_map = btree:$data_directory/postscreen_cache
EOF2
        ;;
    no-port-logging) echo "smtpd_client_port_logging = no" ;;
    long-queue-ids) echo "enable_long_queue_ids = yes" ;;
    esac
}

# m_master_cf CONFIG
m_master_cf() {
    echo "# service type  private unpriv  chroot  wakeup  maxproc command + args"
    case $1 in
    postscreen-deep)
        echo "127.0.0.1:$PS inet n - n - 1 postscreen"
        echo "smtpd     pass  -       -       n       -       -       smtpd"
        echo "dnsblog   unix  -       -       n       -       0       dnsblog"
        echo "tlsproxy  unix  -       -       n       -       0       tlsproxy"
        ;;
    tls-encrypt)
        echo "127.0.0.1:$PS inet n - n - - smtpd"
        echo "  -o smtpd_tls_security_level=encrypt"
        ;;
    *)
        echo "127.0.0.1:$PS inet n - n - - smtpd"
        ;;
    esac
    master_cf_common
}

m_write_config() {
    mkdir -p "$ETC/sasl" "$SPOOL" "$DATA" "$MAILDIR" "$TR"
    chmod 755 "$M_BASE" "$M_BASE/$1"
    chmod 1777 "$MAILDIR"
    chown postfix:postfix "$DATA"
    m_main_cf >"$ETC/main.cf"
    local kv
    while IFS= read -r kv; do
        postconf -c "$ETC" -e "$kv"
    done < <(m_overrides "$1")
    m_master_cf "$1" >"$ETC/master.cf"
    cat >"$ETC/aliases" <<EOF
alice: $MAILDIR/alice
bob: $MAILDIR/bob
carol: $MAILDIR/carol
postmaster: alice
root: alice
mailer-daemon: alice
EOF
    echo "blocked.test REJECT" >"$ETC/sender_access"
    postmap -c "$ETC" "hash:$ETC/sender_access"
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
}

# The row of one conversation: by client port, or by the client address
# in log order where ports are not logged.
M_CFG=
mx() {
    local port=$1
    shift
    if [ "$M_CFG" = no-port-logging ]; then
        expect ip 127.0.0.1 inbound "$@"
    else
        expect port "$port" inbound "$@"
    fi
}

# "alice" and a wrong password, for AUTH PLAIN with an initial response.
AUTH_WRONG=$(printf '\0alice@%s\0wrong-password' "$LOCALDOM" | base64)

# The postscreen deep protocol tests, before the client has passed them.
m_postscreen() {
    local b=$1
    py ps-pregreet "$PS" $((b + 1)) "raw:EHLO p$((b + 1)).$H\r\n" r w:0.5 s:QUIT r eof
    mx $((b + 1)) failed pre-greeting protocol \
        "postscreen: EHLO before the 220 greeting (PREGREET), then QUIT after it"
    py ps-pipelining "$PS" $((b + 2)) r \
        "raw:EHLO p$((b + 2)).$H\r\nMAIL FROM:<alice@$LOCALDOM>\r\nRCPT TO:<bob@$LOCALDOM>\r\n" \
        r r r s:QUIT r eof
    mx $((b + 2)) failed rcpt rejected \
        "postscreen deep test: EHLO, MAIL and RCPT in one packet (COMMAND PIPELINING after EHLO), enforce: the dummy engine answers RCPT 550 5.5.1 Protocol error (where: rcpt; why: pipelining)"
    py ps-nonsmtp "$PS" $((b + 3)) r "s:GET / HTTP/1.0" r s:QUIT r eof
    mx $((b + 3)) failed pre-greeting protocol \
        "postscreen deep test: 'GET / HTTP/1.0' first (NON-SMTP COMMAND after CONNECT), enforce"
    py ps-barenewline "$PS" $((b + 4)) r "raw:EHLO p$((b + 4)).$H\n" r \
        "raw:MAIL FROM:<alice@$LOCALDOM>\n" r "raw:RCPT TO:<bob@$LOCALDOM>\n" r \
        "raw:QUIT\n" r eof
    mx $((b + 4)) failed rcpt rejected \
        "postscreen deep test: commands ended by a bare LF (BARE NEWLINE after EHLO), enforce: RCPT 550 5.5.1 Protocol error (where: rcpt)"
    py ps-deep-pass "$PS" $((b + 5)) r "s:EHLO p$((b + 5)).$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:QUIT r eof
    mx $((b + 5)) failed rcpt tempfail \
        "postscreen: a client that passes every deep test still gets 450 4.3.2 at RCPT from the dummy engine (PASS NEW); the next connection goes to smtpd"
}

# The conversations every configuration holds; the verdicts are what the
# wire showed under each (see the transcripts).
m_core() {
    local c=$1 b=$2 p
    local delay=yes tls=may
    case $c in delay-reject-no | unauth-pipelining) delay=no ;; esac
    case $c in tls-encrypt) tls=encrypt ;; esac

    p=$((b + 11))
    sw clean "$PS" $p --helo "p$p.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        --header "Subject: clean delivery"
    if [ $tls = encrypt ]; then
        mx $p failed mail rejected "clean try without STARTTLS: MAIL answered 530 5.7.0 Must issue a STARTTLS command first (no reject line; mail=0/1)"
    else
        mx $p ok - - "clean delivery to local bob"
    fi

    p=$((b + 12))
    sw ehlo-quit "$PS" $p --helo "p$p.$H" --quit-after EHLO
    mx $p ok - - "EHLO then QUIT (no-mail)"

    p=$((b + 13))
    py helo-bad "$PS" $p r "s:EHLO badhelo$p" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<bob@$LOCALDOM>" r s:QUIT r eof
    if [ $delay = no ]; then
        mx $p failed helo rejected "EHLO badhelo$p (not fully qualified), smtpd_delay_reject=no: 504 5.5.2 at EHLO; MAIL and RCPT after it"
    elif [ $tls = encrypt ]; then
        mx $p failed mail rejected "EHLO badhelo$p accepted (delay_reject=yes), MAIL answered 530 5.7.0 (STARTTLS first)"
    else
        mx $p failed rcpt rejected "EHLO badhelo$p; smtpd_delay_reject=yes, so the 504 5.5.2 HELO refusal comes at RCPT"
    fi

    p=$((b + 14))
    sw sender-blocked "$PS" $p --helo "p$p.$H" --from "spammer@blocked.test" --to "bob@$LOCALDOM"
    if [ $delay = no ] || [ $tls = encrypt ]; then
        mx $p failed mail rejected "MAIL FROM a sender in check_sender_access: refused at MAIL (554 with delay_reject=no, 530 where STARTTLS is required)"
    else
        mx $p failed rcpt rejected "MAIL FROM a sender in check_sender_access; delay_reject=yes: 554 5.7.1 at RCPT"
    fi

    p=$((b + 15))
    sw unknown-user "$PS" $p --helo "p$p.$H" --from "alice@$LOCALDOM" --to "nobody@$LOCALDOM"
    if [ $tls = encrypt ]; then
        mx $p failed mail rejected "MAIL answered 530 5.7.0 (STARTTLS first)"
    else
        mx $p failed rcpt rejected "RCPT to an unknown local user: 550 5.1.1"
    fi

    p=$((b + 16))
    py mail-malformed "$PS" $p r "s:EHLO p$p.$H" r "s:MAIL FROM:<alice@@$LOCALDOM>" r s:QUIT r eof
    if [ $tls = encrypt ]; then
        mx $p failed mail rejected "malformed MAIL FROM:<alice@@...>; MAIL answered 530 5.7.0 (STARTTLS first)"
    else
        mx $p failed mail protocol "malformed MAIL FROM:<alice@@...>: 501 5.1.7 Bad sender address syntax (warning: Illegal address syntax ... in MAIL command), then QUIT"
    fi

    p=$((b + 17))
    py drop-after-mail "$PS" $p r "s:EHLO p$p.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r
    if [ $tls = encrypt ]; then
        mx $p failed mail rejected "MAIL answered 530 5.7.0 (STARTTLS first), then the client hung up"
    else
        mx $p failed mail dropped "MAIL accepted, then the client hung up (lost connection after MAIL)"
    fi

    p=$((b + 18))
    py unknown-after-ehlo "$PS" $p r "s:EHLO p$p.$H" r s:XYZZY1 r s:XYZZY2 r s:XYZZY3 r \
        s:XYZZY4 r s:QUIT r eof
    if [ "$c" = hard-error-limit ]; then
        mx $p failed helo protocol "EHLO, then unknown commands until smtpd_hard_error_limit=3: 421 4.7.0 too many errors after UNKNOWN; EHLO had been accepted"
    else
        mx $p failed helo protocol "EHLO, four unknown commands (500 5.5.2 each), QUIT: unknown=0/4, the last phase reached is helo"
    fi

    p=$((b + 19))
    py unknown-first "$PS" $p r s:XYZZY1 r s:XYZZY2 r s:XYZZY3 r s:XYZZY4 r s:QUIT r eof
    if [ "$c" = hard-error-limit ]; then
        mx $p failed pre-greeting protocol "four unknown commands and no EHLO: 421 too many errors after UNKNOWN before any HELO"
    else
        mx $p failed pre-greeting protocol "four unknown commands and no EHLO (500 5.5.2 each), QUIT: unknown=0/4 and nothing else"
    fi

    p=$((b + 20))
    py pipelined "$PS" $p r \
        "raw:EHLO p$p.$H\r\nMAIL FROM:<alice@$LOCALDOM>\r\nRCPT TO:<bob@$LOCALDOM>\r\nDATA\r\n" \
        r r r r "raw:Subject: pipelined\r\n\r\nbody\r\n.\r\n" r s:QUIT r eof
    if [ "$c" = unauth-pipelining ]; then
        mx $p failed mail protocol "EHLO, MAIL, RCPT and DATA in one packet before the EHLO reply (improper command pipelining after EHLO): reject_unauth_pipelining in smtpd_sender_restrictions answers MAIL 503 5.5.0; RCPT and DATA get 503 and the message text meets 502s"
    elif [ $tls = encrypt ]; then
        mx $p failed mail protocol "EHLO, MAIL, RCPT and DATA in one packet: MAIL, RCPT and DATA answered 530 5.7.0 (STARTTLS first), then the message text meets 221 2.7.0 Error: I can break rules, too (warning: non-SMTP command); the last command counted, and failed, was MAIL"
    else
        mx $p ok - - "EHLO, MAIL, RCPT and DATA in one packet before the EHLO reply (improper command pipelining after EHLO is logged), no restriction refuses it: message accepted"
    fi

    p=$((b + 21))
    py no-helo "$PS" $p r "s:MAIL FROM:<alice@$LOCALDOM>" r "s:RCPT TO:<bob@$LOCALDOM>" r \
        s:QUIT r eof
    if [ "$c" = helo-required ]; then
        mx $p failed mail rejected "MAIL without HELO, smtpd_helo_required=yes: 503 5.5.1 Error: send HELO/EHLO first (no reject line; mail=0/1)"
    elif [ $tls = encrypt ]; then
        mx $p failed mail rejected "MAIL without HELO: 530 5.7.0 (STARTTLS first)"
    else
        mx $p ok - - "MAIL and RCPT without HELO (smtpd_helo_required=no), both accepted, then QUIT: the client ended the transaction"
    fi

    p=$((b + 22))
    sw tls-clean "$PS" $p --helo "p$p.$H" --from "alice@$LOCALDOM" --to "carol@$LOCALDOM" \
        -tls --header "Subject: clean delivery over TLS"
    mx $p ok - - "STARTTLS then a clean delivery to local carol"

    p=$((b + 23))
    py auth-plain-clear "$PS" $p r "s:EHLO p$p.$H" r "s:AUTH PLAIN $AUTH_WRONG" r s:QUIT r eof
    if [ "$c" = tls-auth-only ]; then
        mx $p failed auth auth "AUTH PLAIN before STARTTLS, smtpd_tls_auth_only=yes: 503 5.5.1 Error: authentication not enabled (no log line; auth=0/1)"
    elif [ $tls = encrypt ]; then
        mx $p failed auth auth "AUTH PLAIN before STARTTLS: 530 5.7.0 Must issue a STARTTLS command first (no log line; auth=0/1)"
    else
        mx $p failed auth auth "AUTH PLAIN with a wrong password in clear: 535 5.7.8"
    fi

    p=$((b + 24))
    sw auth-tls-fail "$PS" $p --helo "p$p.$H" --from "alice@$LOCALDOM" --to "bob@$LOCALDOM" \
        -tls -a LOGIN -au "alice@$LOCALDOM" -ap wrong-password
    mx $p failed auth auth "STARTTLS, then AUTH LOGIN with a wrong password: 535 5.7.8"

    p=$((b + 25))
    py starttls-hangup "$PS" $p r "s:EHLO p$p.$H" r s:STARTTLS r tlshalf w:0.5
    mx $p failed starttls tls "STARTTLS answered 220, half a ClientHello, then hung up"

    p=$((b + 26))
    py hangup "$PS" $p
    mx $p failed pre-greeting dropped "connected and closed at once"

    p=$((b + 27))
    py rcpt-errors "$PS" $p r "s:EHLO p$p.$H" r "s:MAIL FROM:<alice@$LOCALDOM>" r \
        "s:RCPT TO:<nobody1@$LOCALDOM>" r "s:RCPT TO:<nobody2@$LOCALDOM>" r \
        "s:RCPT TO:<nobody3@$LOCALDOM>" r "s:RCPT TO:<nobody4@$LOCALDOM>" r s:QUIT r eof
    if [ $tls = encrypt ]; then
        mx $p failed mail rejected "MAIL answered 530 5.7.0 (STARTTLS first); RCPTs 503"
    elif [ "$c" = hard-error-limit ]; then
        mx $p failed rcpt rejected "four unknown recipients: 550 5.1.1 each until smtpd_hard_error_limit=3 ends the session (too many errors after RCPT)"
    else
        mx $p failed rcpt rejected "four unknown recipients, 550 5.1.1 each, then QUIT"
    fi

    p=$((b + 28))
    sw auth-ok "$PS" $p --helo "p$p.$H" --from "alice@$LOCALDOM" --to "carol@$LOCALDOM" \
        -tls -a PLAIN -au "alice@$LOCALDOM" -ap correct-horse --header "Subject: authenticated"
    mx $p ok - - "STARTTLS, AUTH PLAIN accepted, delivery to local carol"
}

# m_run_one NUMBER CONFIG
m_run_one() {
    local n=$1 c=$2 b=$((26000 + 100 * $1))
    say "configuration $n: $c (client ports $((b + 1))-$((b + 99)))"
    ETC=$M_BASE/$c/etc
    SPOOL=$M_BASE/$c/spool
    DATA=$M_BASE/$c/data
    MAILDIR=$M_BASE/$c/mail
    TR=$M_BASE/$c/transcripts
    LOG=$M_BASE/$c/mail.log
    EXPECTED=$M_BASE/$c/expected.tsv
    M_CFG=$c
    mkdir -p "$M_BASE/$c"
    m_write_config "$c"
    printf 'file\tmatch\tvalue\tdirection\tstatus\tphase\tkind\tnote\n' >"$EXPECTED"
    postfix -c "$ETC" check
    pf start
    sleep 2
    [ "$c" = postscreen-deep ] && m_postscreen "$b"
    m_core "$c" "$b"
    wait_queue
    sleep 1
    stop_instance "$ETC" "$SPOOL"
    rm -rf "$SPOOL"
    mkdir -p "$OUT/$c"
    cp "$LOG" "$OUT/$c/mail.log"
    cp "$EXPECTED" "$OUT/$c/expected.tsv"
    say "wrote $OUT/$c/mail.log ($(wc -l <"$LOG") lines, $(($(wc -l <"$EXPECTED") - 1)) rows)"
}

matrix_main() {
    local n=0 c only=${1:-}
    install_packages
    command -v swaks >/dev/null || die "swaks is missing"
    case $M_BASE in
        /tmp/?*|/var/tmp/?*|*smtplog*) ;;
        *) die "M_BASE=$M_BASE: refusing a directory outside /tmp not named *smtplog*" ;;
    esac
    if ss -ltnH "$SERVER_PORTS" | grep -q .; then
        die "something listens on 127.0.0.1:$PS-$REFUSED already"
    fi
    if ss -tanH "$M_CLIENT_PORTS" | grep -q .; then
        say "waiting for sockets of an earlier run to go away"
        sleep 61
    fi
    for c in $M_CONFIGS; do
        n=$((n + 1))
        [ -n "$only" ] && [ "$only" != "$c" ] && continue
        rm -rf "${M_BASE:?}/$c"
        trap 'stop_instance "$ETC" "$SPOOL"' EXIT
        m_run_one "$n" "$c"
        trap - EXIT
    done
    say "Postfix $(postconf -c "$ETC" -h mail_version)"
}
