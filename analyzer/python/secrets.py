"""What a secret looks like: names, credential formats, placeholders and DSN passwords.

Shared by the Python rules (FS0301, FS0302, FS0401), `factorscan env` and the
Dockerfile rules (FS0305 `ENV`/`ARG`, FS0304 secret files): everything here
works on plain strings, never on syntax trees.

Precision comes first. A name is secret-like only when it holds a secret word
(`password`, `token`, `api_key`...) and does not merely name or point to one
(`token_url`, `password_field`, `NextToken`, `SECRET_KEY_ENV_VAR`). A value
counts only when it looks real: placeholders, templates, prose, paths,
references and identifiers are skipped. Known credential formats are
matched with anchored, provider-specific patterns rather than entropy alone.
Nothing here returns a secret in a message: callers show at most
`factorscan.core.redact.redact(value)`.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from factorscan.python.credentials import SAMPLE_MARKERS, find_credential

__all__ = [
    "ServiceURL",
    "find_credential",
    "has_real_password",
    "is_placeholder",
    "is_secret_name",
    "looks_like_secret_value",
    "looks_random",
    "name_words",
    "needs_head",
    "parse_libpq_dsn",
    "parse_url",
    "secret_file_kind",
    "stock_credentials",
    "strip_auth_scheme",
]

# -- names ---------------------------------------------------------------------

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@lru_cache(maxsize=4096)
def name_words(name: str) -> tuple[str, ...]:
    """`SECRET_KEY_ENV_VAR` -> (secret, key, env, var); `NextToken` -> (next, token)."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(match.lower() for match in _CAMEL.findall(chunk))
    return tuple(words)


# Words that make a name secret on their own, also as the end of a compound
# (`dbpassword`, `authtoken`).
_STRONG_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential", "credentials")
_SECRET_WORDS = frozenset({*_STRONG_WORDS, "pass", "pwd", "creds", "authorization", "privatekey"})
# `<qualifier> key` is a key that must be kept secret; `cache key`, `sort key`
# and `public key` are not.
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "signing",
        "sign",
        "encryption",
        "encrypt",
        "decryption",
        "crypt",
        "crypto",
        "cipher",
        "aes",
        "auth",
        "master",
        "license",
        "licence",
        "app",
        "client",
        "consumer",
        "webhook",
        "hmac",
        "mac",
        "fernet",
        "jwt",
        "ssh",
        "gpg",
        "pgp",
        "rsa",
        "shared",
        "subscription",
        "admin",
        "write",
        "service",
        "account",
        "integration",
        "server",
    }
)
# A secret word followed by one of these names something about the secret,
# not the secret itself: `token_url`, `password_field`, `secret_key_env_var`.
_ID_SUFFIXES = frozenset(
    {
        "url",
        "urls",
        "uri",
        "endpoint",
        "field",
        "fields",
        "name",
        "names",
        "env",
        "envvar",
        "var",
        "variable",
        "header",
        "headers",
        "param",
        "parameter",
        "type",
        "types",
        "kind",
        "length",
        "len",
        "min",
        "max",
        "hint",
        "help",
        "label",
        "prompt",
        "placeholder",
        "regex",
        "re",
        "pattern",
        "file",
        "filename",
        "files",
        "path",
        "paths",
        "dir",
        "directory",
        "id",
        "ids",
        "arn",
        "ref",
        "policy",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "timeout",
        "lifetime",
        "age",
        "count",
        "validators",
        "validator",
        "reset",
        "required",
        "changed",
        "class",
        "backend",
        "backends",
        "hasher",
        "hashers",
        "format",
        "formats",
        "prefix",
        "prefixes",
        "suffix",
        "suffixes",
        "patterns",
        "regexes",
        "shapes",
        "kinds",
        "triggers",
        "stems",
        "words",
        "mode",
        "attempts",
        "enabled",
        "disabled",
        "size",
        "location",
        "store",
        "storage",
        "manager",
        "provider",
        "method",
        "methods",
        "scheme",
        "algorithm",
        "algorithms",
        "alg",
        "version",
        "service",
        "cls",
        "form",
        "input",
        "message",
        "msg",
        "error",
        "errors",
        "text",
        "title",
        "description",
        "template",
        "column",
        "attribute",
        "attr",
        "table",
        "model",
        "view",
        "route",
        "handler",
        "hash",
        "hashed",
        "digest",
        "key",  # password_key, token_key: the key under which a secret is stored
        "cookie",
        "source",
        "sources",
        "mount",
        "volume",
        "encoding",
        "separator",
        "delimiter",
        "index",
        "position",
        "pos",
        "limit",
        "rotation",
        "refresh",
        "lookup",
        "mapping",
        "map",
        "keys",
        "widget",
        "strength",
        "complexity",
        "chars",
        "characters",
        "icon",
        "link",
        "page",
        "dialog",
        "button",
        "flag",
        "option",
        "options",
        "setting",
        "settings",
        "config",
        "callback",
        "function",
        "func",
        "fn",
        # password_status = "success": the outcome of an action on the secret
        "status",
        "state",
        "result",
        "results",
        "outcome",
        # TOKEN_ALPHABET, SECRET_KEY_CHARSET: the characters a secret is made of
        "charset",
        "alphabet",
        "symbols",
        "digits",
        "letters",
        # API_TOKEN_RATE = "10/min": a rate limit on the requests that carry a token
        "rate",
        "rates",
        "throttle",
        "quota",
        # KEY_HASHES: digests kept to recognise (and refuse) known secrets
        "hashes",
        "digests",
        "checksum",
        "checksums",
        "fingerprint",
        "fingerprints",
    }
)
# `next_token`, `page_token`: pagination cursors; `max_tokens`: a count.
_TOKEN_QUALIFIERS_NOT_SECRET = frozenset(
    {
        "next",
        "page",
        "continuation",
        "pagination",
        "sync",
        "cursor",
        "resume",
        "start",
        "end",
        "max",
        "min",
        "num",
        "eos",
        "bos",
        "pad",
        "unk",
        "sep",
        "cls",
        "mask",
        "special",
        "stop",
        "csrf",
        "xsrf",
        "lexer",
        "parser",
    }
)
_BOOLEAN_PREFIXES = frozenset(
    {"is", "has", "use", "uses", "require", "requires", "enable", "enabled", "show", "allow", "should", "no"}
)
# Anywhere in a name, these make it about a secret rather than the secret:
# SECRET_KEY_ENV_VAR, reset_url_token (a URL slug), TOKEN_ENDPOINT_PATH.
_REFERENCE_WORDS = frozenset(
    {"env", "envvar", "var", "variable", "url", "uri", "path", "route", "slug", "endpoint"}
)
# Owners a short stem is glued to (`DBPASS`, `MAILPASS`, `REDISPWD`): only these, as the
# letters end many words that are no secret (`bypass`, `compass`, `lowpass`, `getpass`, `spwd`).
_GLUED_OWNERS = frozenset(
    {
        *("db", "database", "sql", "mysql", "mariadb", "postgres", "pg", "psql", "mssql", "oracle"),
        *("mongo", "mongodb", "redis", "ldap", "amqp", "rabbit", "rabbitmq", "mq", "broker", "kafka"),
        *("elastic", "es", "influx", "neo4j", "couchdb", "vault", "registry", "minio"),
        *("mail", "email", "smtp", "imap", "pop", "ftp", "sftp", "ssh", "vnc", "wifi", "vpn"),
        *("admin", "root", "user", "superuser", "sudo", "master", "guest", "login", "account"),
        *("app", "api", "auth", "web", "bot", "client", "server", "service", "svc", "http", "basic"),
        *("key", "keystore", "store", "truststore", "cert", "jks", "p12", "pfx", "my", "require"),
    }
)
_GLUED_STEMS = ("pass", "pwd")
# Shell and CI variables that only look secret: PWD is the working directory.
_NOT_SECRET_NAMES = frozenset({"pwd", "oldpwd", "pass", "bypass"})
# nginx's proxy_pass, uwsgi_pass, fastcgi_pass... name the upstream a request is passed to.
_PASS_DIRECTIVES = frozenset({"proxy", "uwsgi", "fastcgi", "scgi", "grpc", "memcached"})


def _word_is_secret(words: Sequence[str], index: int) -> bool:
    word = words[index]
    previous = words[index - 1] if index else ""
    if word in ("token", "tokens") and previous in _TOKEN_QUALIFIERS_NOT_SECRET:
        return False
    if word == "tokens":
        return False  # counts and lists in NLP code
    if word == "pass" and previous in _PASS_DIRECTIVES:
        return False
    if word in _SECRET_WORDS:
        return True
    if word == "key":
        return previous in _KEY_QUALIFIERS
    if word.endswith("key") and word[:-3] in _KEY_QUALIFIERS:
        return True  # apikey, secretkey, privatekey
    if any(word.endswith(stem) and word[: -len(stem)] in _GLUED_OWNERS for stem in _GLUED_STEMS):
        return True  # dbpass, mailpass, redispwd
    return any(word.endswith(strong) and len(word) > len(strong) for strong in _STRONG_WORDS) and not (
        word.startswith(("token", "secret")) or word.endswith("tokens")
    )


def _extra_match(name: str, words: tuple[str, ...], patterns: Iterable[str]) -> int | None:
    """Index of the last word matched by a `secret-names` pattern, or None."""
    lowered = name.lower()
    for pattern in patterns:
        if any(char in pattern for char in "*?["):
            if fnmatch.fnmatchcase(lowered, pattern.lower()):
                return len(words) - 1
            continue
        wanted = name_words(pattern)
        if not wanted:
            continue
        for start in range(len(words) - len(wanted) + 1):
            if words[start : start + len(wanted)] == wanted:
                return start + len(wanted) - 1
    return None


def secret_name_triggers(patterns: Iterable[str]) -> tuple[re.Pattern[bytes], ...]:
    """Prefilter triggers for the `secret-names` patterns: their literal parts, any case."""
    parts = {
        part.lower()
        for pattern in patterns
        for part in re.split(r"[*?\[\]]+", pattern)
        if len(part.strip("_-.")) >= 2
    }
    if not parts:
        return ()
    return (re.compile(b"(?i)" + b"|".join(re.escape(part.encode()) for part in sorted(parts))),)


def is_secret_name(name: str, extra_patterns: Iterable[str] = ()) -> bool:
    """Whether `name` (a variable, attribute, key, keyword or env var) holds a secret.

    `extra_patterns` come from the `secret-names` setting: plain words
    (`pin`, `api_secret`) match whole words of the name; globs (`*_pin`)
    match the whole lowercased name.
    """
    words = name_words(name)
    if not words or name.lower() in _NOT_SECRET_NAMES:
        return False
    if words[0] in _BOOLEAN_PREFIXES and len(words) > 1:
        return False
    if any(word in _REFERENCE_WORDS for word in words):
        return False
    last_secret = None
    for index in range(len(words)):
        if _word_is_secret(words, index):
            last_secret = index
    extra = _extra_match(name, words, extra_patterns)
    if extra is not None and (last_secret is None or extra > last_secret):
        last_secret = extra
    if last_secret is None:
        return False
    # Words after the secret word must not turn it into a reference to it.
    trailing = words[last_secret + 1 :]
    return not any(word in _ID_SUFFIXES for word in trailing)


# -- placeholders and values that are not secrets ----------------------------------

_TEMPLATE = re.compile(
    r"\$\{[^}]*\}"  # ${DB_PASSWORD}
    r"|\{\{.*?\}\}"  # {{ password }}
    r"|<[^<>]+>"  # <your-token>
    r"|%\([^)]*\)[sdr]"  # %(password)s
    r"|%[sd]"  # %s
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # {password}
    r"|^\$[A-Za-z_][A-Za-z0-9_]*$"  # $PASSWORD
    r"|^\*+$"  # ****
)
_PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "changethis",
        "changeit",
        "example",
        "examples",
        "dummy",
        "test",
        "testing",
        "tests",
        "fake",
        "mock",
        "placeholder",
        "sample",
        "redacted",
        "todo",
        "fixme",
        "tbd",
        "your",
        "yours",
        "here",
        "replace",
        "insert",
        "enter",
        "foo",
        "bar",
        "baz",
        "foobar",
        "none",
        "null",
        "nil",
        "undefined",
        "unset",
        "notset",
        "empty",
        "hidden",
    }
)
# Whole values that are words, not secrets.
_PLACEHOLDER_VALUES = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwd",
        "pass",
        "pwd",
        "token",
        "key",
        "apikey",
        "api_key",
        "secretkey",
        "secret_key",
        "private_key",
        "default",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "required",
        "optional",
        "bearer",
        "basic",
        "digest",
        "jwt",
        "hs256",
        "hs512",
        "rs256",
        "es256",
        "xxx",
        "abc",
        "user",
        "username",
    }
)
_ENV_NAME_VALUE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_CONSTANT_WORD = re.compile(r"^[A-Z_]+$")  # NUMBER, BEARER: names of things
_IDENTIFIER_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
_PATH_VALUE = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)[^\s]*$")
_FILE_VALUE = re.compile(
    r"\.(?:pem|key|crt|cer|der|p12|pfx|jks|json|txt|env|ya?ml|ini|cfg|conf|toml|gpg|asc|pub)$", re.IGNORECASE
)
_EMAIL_VALUE = re.compile(r"^[^@\s:/]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
# Password hashes (Django, bcrypt, argon2, crypt): stored hashes, not secrets.
_HASH_VALUE = re.compile(
    r"^(?:pbkdf2_sha\d+|argon2|bcrypt(?:_sha256)?|sha1|md5|scrypt|unsalted_\w+|crypt)\$"
    r"|^\$(?:2[abxy]?|5|6|argon2i?d?|y|scrypt)\$"
    r"|^!"
)
# An auth scheme in front of a credential: "Bearer eyJ...", "Token abc".
_AUTH_SCHEME = re.compile(
    r"^(?:Bearer|Token|Basic|Bot|JWT|ApiKey|Api-Key|Key|Digest)\s+(?=\S+$)", re.IGNORECASE
)


# A credential format's prefix before a plain word (`xoxb-valid`, `ghp_yourtoken`): a
# stand-in for a token, since real ones carry random digits.
_FORMAT_STAND_IN = re.compile(
    r"^(?:xox[abposr]-|gh[pousr]_|github_pat_|glpat-|[sr]k_(?:live|test)_|sk-(?:ant-|proj-)?|npm_|pypi-|SG\.)"
    r"[A-Za-z_-]*$"
)
# Words that make a made-up password: `user1password`, `powersync_password`.
_PASSWORD_WORDS = ("password", "passwd")
# "5/min", "100/hour", django-allauth's "1/m/ip,5/m/key": a rate limit, one or several.
_RATE = r"\d+\s*/\s*(?:s|sec|second|m|min|minute|h|hr|hour|d|day)s?(?:/\w+)?"
_RATE_VALUE = re.compile(rf"^{_RATE}(?:\s*,\s*{_RATE})*$", re.IGNORECASE)


def _sequential(text: str) -> bool:
    """`abc`, `123`, `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`: an alphabet or a run, not a key.

    Three in four neighbouring characters ascend by one (or two, where an
    alphabet skips look-alikes); random keys almost never do.
    """
    steps = [ord(after) - ord(before) for before, after in itertools.pairwise(text)]
    return bool(steps) and 4 * sum(step in (1, 2) for step in steps) >= 3 * len(steps)


def strip_auth_scheme(value: str) -> str:
    return _AUTH_SCHEME.sub("", value.strip(), count=1)


def is_placeholder(value: str) -> bool:
    """Empty, filler, templated or obviously sample values (`changeme`, `<token>`, `xxx`)."""
    text = strip_auth_scheme(value)
    variety = len(set(text.lower()))
    if len(text) < 3 or variety == 1 or (variety == 2 and len(text) >= 4):
        return True
    lowered = text.lower()
    if lowered in _PLACEHOLDER_VALUES or _TEMPLATE.search(text):
        return True
    if any(marker in lowered for marker in (*SAMPLE_MARKERS, *_PASSWORD_WORDS)):
        return True
    if _sequential(text) or _FORMAT_STAND_IN.match(text):
        return True
    words = [word for word in re.split(r"[^a-z0-9]+", lowered) if word]
    return any(word in _PLACEHOLDER_WORDS or re.fullmatch(r"x{3,}", word) for word in words)


def looks_like_secret_value(value: str, name: str = "") -> bool:
    """A literal that could be a real secret rather than a word, path or reference.

    `name` is the target it is bound to: a value equal to its own name
    (`password = "password"`) is a reference, not a secret.
    """
    text = strip_auth_scheme(value)
    if is_placeholder(text) or any(char.isspace() for char in text):
        return False
    normalized = re.sub(r"[^a-z0-9]", "", text.lower())
    if name and normalized in (re.sub(r"[^a-z0-9]", "", name.lower()), *name_words(name)):
        return False
    if _ENV_NAME_VALUE.match(text) or _DOTTED_PATH.match(text) or _HASH_VALUE.match(text):
        return False
    if _PATH_VALUE.match(text) or (_FILE_VALUE.search(text) and "/" in text):
        return False
    if _EMAIL_VALUE.match(text) or "://" in text or _CONSTANT_WORD.match(text) or _RATE_VALUE.match(text):
        return False
    # `access_token`, `db_password`: the name of a secret, not its value.
    return not (_IDENTIFIER_VALUE.match(text) and not any(c.isdigit() for c in text) and is_secret_name(text))


def looks_random(value: str) -> bool:
    """A long, high-entropy token: hidden from `factorscan env` output even unnamed."""
    text = value.strip()
    if len(text) < 20 or any(char.isspace() for char in text) or "://" in text:
        return False
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    classes = sum(
        (any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text))
    )
    return entropy >= 3.5 and classes >= 2


# -- URLs and DSNs -------------------------------------------------------------

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<netloc>[^/?#\s]*)(?P<rest>[^\s]*)$")
_TEMPLATE_CHARS = ("{", "}", "%(", "$", "<", ">")


@dataclass(frozen=True)
class ServiceURL:
    scheme: str  # lowercased, with any +driver part
    username: str | None
    password: str | None  # percent-decoded; from the query string (`?password=`) when not in userinfo
    hosts: tuple[tuple[str, int | None], ...]
    path: str  # path, query and fragment as written
    templated: bool  # `{host}`, `%(port)s` or `${VAR}` inside

    @property
    def base_scheme(self) -> str:
        """`postgresql+psycopg` -> `postgresql`; `mongodb+srv` -> `mongodb`."""
        return self.scheme.split("+", 1)[0]

    @property
    def host(self) -> str:
        return self.hosts[0][0] if self.hosts else ""

    @property
    def port(self) -> int | None:
        return self.hosts[0][1] if self.hosts else None


def _split_host(item: str) -> tuple[str, int | None]:
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
    port = int(port_text) if port_text.isdigit() and len(port_text) <= 5 else None
    return host.lower(), port


# Query-string keys that carry a database password (`?password=`, ODBC's `PWD=`).
_QUERY_PASSWORD_KEYS = frozenset({"password", "passwd", "pwd", "pass"})


def _query_password(rest: str) -> str | None:
    """The password given in a URL's query string, percent-decoded, if any."""
    _, question, query = rest.partition("?")
    if not question:
        return None
    for pair in query.split("#", 1)[0].replace(";", "&").split("&"):
        key, equals, value = pair.partition("=")
        if equals and key.strip().lower() in _QUERY_PASSWORD_KEYS and value:
            return unquote(value.replace("+", " "))
    return None


def parse_url(value: str) -> ServiceURL | None:
    """A URL with a network location, or None. Passwords may hold `@` or `:`."""
    match = _URL.match(value.strip())
    if match is None:
        return None
    netloc = match.group("netloc")
    templated = any(marker in value for marker in _TEMPLATE_CHARS)
    userinfo, at, hostinfo = netloc.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) if user else None
        password = unquote(secret) if colon else None
    hosts = tuple(_split_host(item) for item in hostinfo.split(",") if item)
    if password is None:
        password = _query_password(match.group("rest"))
    return ServiceURL(
        scheme=match.group("scheme").lower(),
        username=username,
        password=password,
        hosts=hosts,
        path=match.group("rest"),
        templated=templated,
    )


# Placeholder passwords in documentation-style URLs: user:password@host.
_PLACEHOLDER_PASSWORDS = frozenset({"password", "pass", "passwd", "pwd", "pw", "secret", "changeme", "xxx"})


def has_real_password(url: ServiceURL) -> bool:
    """The URL carries a password that is not a placeholder or a template.

    Short and default passwords (`guest`, `postgres`) count: they open a
    real service just the same.
    """
    password = url.password
    if not password or url.templated or len(set(password)) == 1:
        return False
    lowered = password.lower()
    if lowered in _PLACEHOLDER_PASSWORDS or _TEMPLATE.search(password):
        return False
    return not any(marker in lowered for marker in (*SAMPLE_MARKERS, *_PASSWORD_WORDS))


def stock_credentials(url: ServiceURL) -> bool:
    """`postgres://shop:shop@localhost/shop`, `amqp://guest:guest@...`: the password is the user name.

    These are the credentials a development compose file or a server's
    default install uses; as the fallback of an environment read they stand
    for "the local service", not for a secret of any deploy.
    """
    return bool(url.password) and url.password == url.username


_LIBPQ_PAIR = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")


def parse_libpq_dsn(value: str) -> dict[str, str] | None:
    """`host=db dbname=app password=x`: libpq keyword/value connection strings."""
    if "=" not in value or "://" in value:
        return None
    pairs = {key.lower(): raw.strip("'") for key, raw in _LIBPQ_PAIR.findall(value)}
    rest = _LIBPQ_PAIR.sub("", value).strip()
    if rest or not pairs or not ({"host", "hostaddr", "port", "dbname", "user", "password"} >= set(pairs)):
        return None
    return pairs


# -- files that hold secrets (FS0304) -----------------------------------------------

# Folders whose files are test, sample or third-party material: a key under
# tests/ is a fixture, one under site-packages/ a library's own test data.
_NOT_SECRET_FOLDERS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "testdata",
        "fixtures",
        "__tests__",
        "docs",
        "doc",
        "examples",
        "example",
        "samples",
        "sample",
        "demo",
        "demos",
        "node_modules",
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".git",
    }
)
# `.env.example` and friends: documentation of the variables, not their values.
_ENV_SAMPLE_WORDS = frozenset(
    {"example", "sample", "template", "tmpl", "tpl", "dist", "default", "defaults", "schema"}
    | {"test", "testing"}
)
_SSH_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
_PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_NPMRC_AUTH = re.compile(r"(?m)^[^#;\n]*:?_(?:authToken|auth|password)\s*=\s*(?!\$\{)\S")
_JSON_SECRET_KEYS = re.compile(r"\"(?:private_key|client_secret|refresh_token)\"\s*:\s*\"[^\"$]{8,}")
_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


def _dotenv_has_secret(text: str) -> bool:
    """A real-looking secret in `NAME=value` lines: a credential format, a URL password, a named secret."""
    for line in text.splitlines():
        match = _DOTENV_LINE.match(line)
        if match is None:
            continue
        name, value = match.group(1), match.group(2).strip()
        if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].strip()
        if not value:
            continue
        if find_credential(value, aws_context="secret" in name_words(name)) is not None:
            return True
        url = parse_url(value)
        if url is not None and has_real_password(url):
            return True
        if is_secret_name(name) and looks_like_secret_value(value, name):
            return True
    return False


def secret_file_kind(path: str, head: str | None = None) -> str | None:
    """What secret a file holds, judged by its path and, when given, its first bytes.

    `path` is slash-separated and relative (a build context path). `head` is
    the start of the file's text when it exists: a `.pem` is a secret only
    with a private key block (a certificate is public), a `.env` only with a
    real-looking secret. Without `head` (a file that is not there to read),
    only names that hold secrets by convention count. Returns a short
    description ("environment file with secrets", "SSH private key") or None.
    """
    parts = path.split("/")
    name = parts[-1]
    lowered = name.lower()
    parent = parts[-2].lower() if len(parts) > 1 else ""
    if any(part.lower() in _NOT_SECRET_FOLDERS for part in parts[:-1]) or lowered.endswith(".pub"):
        return None
    if lowered == ".env" or lowered.startswith(".env."):
        if _ENV_SAMPLE_WORDS & set(lowered.split(".")[2:]):
            return None
        return "environment file with secrets" if head is None or _dotenv_has_secret(head) else None
    if lowered in (".netrc", "_netrc"):
        return "netrc credentials"
    if lowered == ".pypirc":
        return "PyPI credentials"
    if lowered == ".git-credentials":
        return "git credentials"
    if lowered == ".pgpass":
        return "PostgreSQL password file"
    if parent == ".aws" and lowered == "credentials":
        return "AWS credentials"
    if parent == ".docker" and lowered == "config.json":
        return "Docker registry credentials" if head is None or '"auth"' in head else None
    if parent == ".streamlit" and lowered == "secrets.toml":
        return "Streamlit secrets"
    if lowered in _SSH_KEY_NAMES:
        return "SSH private key"
    if lowered.endswith((".p12", ".pfx")):
        return "PKCS#12 key store"
    if lowered == ".npmrc":
        return "npm credentials" if head is not None and _NPMRC_AUTH.search(head) else None
    if lowered.endswith(".key"):
        if head is not None and not _PRIVATE_KEY_BLOCK.search(head) and "-----BEGIN" in head:
            return None  # a certificate or public key with the wrong extension
        return "private key"
    if lowered.endswith(".pem"):
        if head is not None:
            return "private key" if _PRIVATE_KEY_BLOCK.search(head) else None
        stem_words = set(re.split(r"[^a-z0-9]+", lowered[:-4]))
        return "private key" if stem_words & {"key", "privkey", "private", "priv"} else None
    if lowered.endswith(".json") and re.search(
        r"credential|client_secret|service[-_]?account|serviceaccount", lowered
    ):
        if head is None or _JSON_SECRET_KEYS.search(head):
            return "service account key" if "account" in lowered else "OAuth or cloud credentials"
        return None
    return None


def needs_head(path: str) -> bool:
    """Whether `secret_file_kind` judges this file by its content (read it only then)."""
    lowered = path.rsplit("/", 1)[-1].lower()
    return (
        lowered == ".env"
        or lowered.startswith(".env.")
        or lowered in (".npmrc", "config.json")
        or lowered.endswith((".pem", ".key", ".json"))
    )
