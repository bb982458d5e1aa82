"""A real SMTP server (aiosmtpd) on loopback for the Mail tests.

Prints `PORT <n>`, then `MESSAGE <json>` per delivered mail: the envelope, whether AUTH and TLS
were used, and the message as Python's own `email` parser reads it (decoded subject, addresses,
headers, each text part decoded), so the tests check what a real mail client would see.
Accepts AUTH as almanac / s3cret. RCPT to `reject-permanent@…` answers 550, to
`reject-temporary@…` 451. `--starttls CERT KEY` offers and requires STARTTLS.
Exits when its stdin closes.
"""
import asyncio, base64, json, logging, os, ssl, sys, warnings
from email import policy
from email.parser import BytesParser
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

warnings.simplefilter("ignore")  # aiosmtpd's own deprecation notices
logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # refused handshakes are expected


def parsed(data):
    message = BytesParser(policy=policy.default).parsebytes(data)
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        parts.append({
            "contentType": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transferEncoding": part.get("Content-Transfer-Encoding"),
            # Line ends as a reader sees them, without the one that ends the part.
            "content": part.get_content().replace("\r\n", "\n").rstrip("\n"),
        })
    return {
        "from": str(message["From"]),
        "to": str(message["To"]) if message["To"] else None,
        "cc": str(message["Cc"]) if message["Cc"] else None,
        "bcc": str(message["Bcc"]) if message["Bcc"] else None,
        "replyTo": str(message["Reply-To"]) if message["Reply-To"] else None,
        "subject": str(message["Subject"]),
        "messageId": str(message["Message-ID"]),
        "date": str(message["Date"]),
        "dateParsed": message["Date"].datetime is not None if message["Date"] else False,
        "mimeVersion": str(message["MIME-Version"]),
        "contentType": message.get_content_type(),
        "headers": [[k, str(v)] for k, v in message.items()],
        "defects": [type(d).__name__ for d in message.defects],
        "parts": parts,
        "longestLine": max(len(line) for line in data.split(b"\r\n")),
    }


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject-permanent@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("reject-temporary@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if session.auth_data is not None else None
        print("MESSAGE " + json.dumps({
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "data": base64.b64encode(envelope.original_content).decode(),
            "login": login,
            "tls": session.ssl is not None,
            "parsed": parsed(envelope.original_content),
        }), flush=True)
        return "250 OK delivered"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == b"almanac" and auth_data.password == b"s3cret":
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


async def main():
    tls_context = None
    if len(sys.argv) == 4 and sys.argv[1] == "--starttls":
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(sys.argv[2], sys.argv[3])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), hostname="localhost", tls_context=tls_context,
                     require_starttls=tls_context is not None,
                     authenticator=authenticator, auth_require_tls=False),
        "127.0.0.1", 0)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)

    def wait_for_stdin_close():
        while sys.stdin.buffer.read(1024):
            pass
    await loop.run_in_executor(None, wait_for_stdin_close)
    os._exit(0)


asyncio.run(main())
