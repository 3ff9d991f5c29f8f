"""Build secrets_public.jsonl: a labelled set from other projects' published test cases.

Every text and label here comes from a public test suite we did not write (see SOURCES.md
next to this file): gitleaks' rule tests (`tps` = secret, `fps` = not a secret), detect-
secrets' plugin tests (`should_flag`) and two trufflehog pattern tests. Where a source
builds a test case at run time — gitleaks' `secrets.NewSecret(regex)` and its
`GenerateSampleSecrets(identifier, secret)` templates — this script does the same with a
random string drawn from the same regex (fixed seed) and three of the same templates.

Left out on purpose, and counted in SOURCES.md: negatives that are only negative for one
rule (a real token of another shape, a key one character too long), and positives whose
value is a run of one repeated character (`SKxxxx…`): gitleaks labels exactly those as
placeholders, detect-secrets as hits, and the set cannot hold both.

    python benchmarks/data/make_secrets_public.py   # rewrites secrets_public.jsonl
"""

from __future__ import annotations

import json
import random
import re._parser as sre  # the standard library's regex parser, to draw strings from a regex
from pathlib import Path

OUT = Path(__file__).with_name("secrets_public.jsonl")
R = random.Random(20261123)

# gitleaks' cmd/generate/config/utils/patterns.go helpers, as regexes
AN = "[a-z0-9]{%s}"
ANX = "[a-z0-9=_\\-]{%s}"
ANXS = "[a-z0-9_-]{%s}"
HEX = "[a-f0-9]{%s}"
NUM = "[0-9]{%s}"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# Some of gitleaks' GenerateSampleSecrets templates ({i} identifier, {I} upper, {s} secret);
# each generated secret is placed in three of them, in turn.
TEMPLATES = (
    '{i}Token="{s}"', "{i}Token = {s}", '{\n    "{i}_token": "{s}"\n}',
    '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}', "<{i}Token>\n    {s}\n</{i}Token>",
    "{i}_token: {s}", "{i}_token: '{s}'", 'string {i}Token = "{s}";', 'var {i}Token string = "{s}"',
    "{i}Token := `{s}`", 'String {i}Token = "{s}";', '${i}Token .= "{s}"', "{i}Token = '{s}'",
    'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"', '{i}_TOKEN ::= "{s}"',
    '{i}_TOKEN ?= "{s}"', 'var {i}Token = "{s}"',
)
_turn = 0


def draw(regex: str) -> str:
    """A random string matching `regex` (the subset of syntax the sources use)."""
    return "".join(_draw(sre.parse(regex)))


def _draw(parsed) -> list[str]:
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "IN":
            out.append(R.choice(_alphabet(arg)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = arg
            for _ in range(R.randint(low, min(high, low + 40))):
                out += _draw(sub)
        elif name == "SUBPATTERN":
            out += _draw(arg[-1])
        elif name == "BRANCH":
            out += _draw(R.choice(arg[1]))
        elif name == "CATEGORY":
            out.append(R.choice(_category(str(arg))))
        elif name == "AT":
            continue
        else:
            raise ValueError(f"unsupported regex element {name}")
    return out


def _alphabet(items) -> str:
    chars = ""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars += chr(arg)
        elif name == "RANGE":
            chars += "".join(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            chars += _category(str(arg))
    return chars


def _category(name: str) -> str:
    if "DIGIT" in name:
        return "0123456789"
    if "WORD" in name:
        return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
    return " "


def samples(identifier: str, secret: str, n: int = 3) -> list[str]:
    """`secret` in `n` of gitleaks' sample templates for `identifier`."""
    global _turn
    texts = []
    for _ in range(n):
        template = TEMPLATES[_turn % len(TEMPLATES)]
        _turn += 1
        texts.append(template.replace("{i}", identifier).replace("{I}", identifier.upper())
                     .replace("{s}", secret))
    return texts


def sample(identifier: str, secret: str) -> str:
    """gitleaks' GenerateSampleSecret: one `<identifier>_api_token = "<secret>"` line."""
    return f'{identifier}_api_token = "{secret}"'


ROWS: list[dict] = []


def add(source: str, kind: str, secret: bool, *texts: str) -> None:
    ROWS.extend({"text": t, "secret": secret, "kind": kind, "source": source} for t in texts)


def gitleaks() -> None:
    g = "gitleaks"
    # aws.go
    add(g, "aws-access-key-id", True, *samples("AWS", "AKIALALEMEL33243OLIB"),
        *[t for p in ("AKIA", "ASIA", "ABIA", "ACCA")
          for t in samples("AWS", p + draw("[A-Z2-7]{16}"), 2)])
    add(g, "aws-access-key-id", False, "key = AKIAXXXXXXXXXXXXXXXX",
        "aws_access_key: AKIAIOSFODNN7EXAMPLE", 'msgstr "Näytä asiakirjamallikansio."',
        "TODAYINASIAASACKOFRICEFELLOVER")
    # github.go
    for prefix, size in (("ghp_", 36), ("gho_", 36), ("ghs_", 36), ("ghu_", 36), ("ghr_", 36),
                         ("github_pat_", 82)):
        add(g, "github-token", True, *samples("github", prefix + draw(AN % size), 2))
        add(g, "github-token", False, prefix + "x" * size)
    # gitlab.go
    for token in ("glcbt-" + draw(AN % 5) + "_" + draw(AN % 20), "gldt-" + draw(AN % 20),
                  "glffct-" + draw(AN % 20), "glft-" + draw(AN % 20), "glimt-" + draw(AN % 25),
                  "glagent-" + draw(AN % 50), "gloas-" + draw(AN % 64),
                  "glpat-" + draw(AN % 20),
                  "glpat-" + draw(AN % 27) + "." + draw(AN % 2) + draw(AN % 7),
                  "glptt-" + draw(HEX % 40), "GR1348941" + draw(AN % 20), "glrt-" + draw(AN % 20),
                  "glrt-t" + draw(NUM % 1) + "_" + draw(AN % 27) + "." + draw(AN % 9),
                  "glsoat-" + draw(AN % 20), "_gitlab_session=" + draw(AN % 32)):
        add(g, "gitlab-token", True, *samples("gitlab", token, 1))
    add(g, "gitlab-token", False, "glpat-XXXXXXXXXXX-XXXXXXXX",
        "glpat-xxxxxxxx-xxxxxxxxxxxxxxxxxx.xxxxxxxxx", "glptt-" + "x" * 40,
        "GR134894112312312312312312312", "GR1348941XXXXXXXXXXXXXXXXXXXX",
        "glrt-tx_xxxxxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxx")
    # gcp.go
    add(g, "gcp-api-key", True, *samples("gcp", draw(r"AIza[\w-]{35}")),
        "AIzaSyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-")
    add(g, "gcp-api-key", False,
        "GWw4hjABFzZCGiRpmlDyDdo87Jn9BN9THUA47muVRNunLxsa82tMAdvmrhOqNkRKiYMEAFbTJAIzaTesb6Ts"
        "cfcni8vIpWZqNCXFDFslJtVSvFDq", "AIzaTesb6Tscfcni8vIpWZqNCXFDFslJtVSvFDqabcd123",
        'apiKey: "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
        "AIZASYCO2CXRMC9ELSKLHLHRMBSWDEVEDZTLO2O",
        "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
        "AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM", "AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
        "AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0")
    # azure.go
    add(g, "azure-ad-client-secret", True,
        "client_secret=bP88Q~rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR",
        "client_secret: .IQ8Q~79R7TOWOspFnWcEG-dYt4KXqFqxK16cxr",
        "AUTH_CLIENTSECRET = _V28Q~IC8qxmlWNpHuDm34JlbKv9LXV5MvUR3a-P",
        '<value xsi:type="xsd:string">~Gg8Q~nVhlLi2vpg_nXBGqFsbGK-t~Hus1JmTa0y</value>',
        '"CLIENT_SECRET": "YYz7Q~Sudoqwap1PnzEBA3zqBK~i5uesDIv.C"',
        "Set-PSUAuthenticationMethod -Type 'OpenIDConnect' -CallbackPath '/auth/oidc' "
        "-ClientId 'fake' -ClientSecret '2Vq7Q~q5VgKljZ7cb3.0sp0Apz.vOjRIPyeTr'",
        'client-secret: "t028Q~-aLbmQuinnZtzbgtlEAYstnBWEmGPAoBm"',
        '"cas.authn.azure-active-directory.client-secret=qHF8Q~PCM5HhMoyTFc5TYEomnzR6Kim9UJhe8a.P",',
        '"line": "client_srt = \\"qpF8Q~PCM5MhMoyTFc5TYEomnYRUKim9UJhe8a2P\\";",',
        "Example= GN.7Q~4AkLZBNEbz4Jxlm~O5G6SsyFxYg6zMR",
        '"the_value": "QtT8Q~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn"',
        "QtT8Q~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn",
        "(use the client secret: QtT8Q~9C-_Ij~RouHVpD2Tuf3oHWGh.DQ3kcjbAn)",
        '\\"pass\\": \\"' + draw(r"[\w~.]{3}") + draw(NUM % 1) + "Q~" + draw(r"[\w~.-]{31,34}"))
    add(g, "azure-ad-client-secret", False,
        "![图源：《深入拆解Tomcat & Jetty》](https://p3-juejin.byteimg.com/tos-cn-i-k3u1fbpfcp/"
        "6a9e704af49b4380bb686f0c96d33b81~tplv-k3u1fbpfcp-watermark.image)",
        "~" * 40, ".ui.visible.right.sidebar~.ui.visible.left.sidebar~.pusher"
        "{transform:translate3d(0,0,0)}",
        "'url': 'http://www.2doc.nl/speel~VARA_101375237~mh17-het-verdriet-van-nederland~.html',",
        "'#!/registries/5/portainer.demo~2Fportainerregistrytesting~2Falpine',",
        "client_secret=bP88Q~" + "x" * 34)
    # privatekey.go
    add(g, "private-key", True,
        "-----BEGIN PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAVwAA"
        "AAdzc2gtcnNhAAAAAwEAAQAAAEEAqPfgaTEWEP3S9w0tgsicURfo+nLW09/0KfOPinhYZ4ouzU+3xC4plEp8Ut9"
        "FgL0AgqNslNaK34Kq+NZjO9DAQAAATB+9/CSfvfwkgAAAAdzc2gtcnNhAAAAQQCo9+BpMRYQ/dL3DS2CyJxRF+"
        "j6ctbT3/Qp84+KeFhnii7NT7fELilKUSnxS30WAvQCCo2yU1orfgqr41mM70MBAAAAAwEAAQAAAEAgkuLEHLaqk"
        "WhLgNKagSajeobLS3rPT0Agm0f7k55FXVt743hwNgkp98bMNrzy9AQ1mJGbQZGrpr4c8ZAx3aRNAAAAIBOs/5Oi"
        "PgoTdSy7bcF9IGpSE8ZgGKzgYQVZeN97YE00AAAAIQCjEr8yAZ54u6Lfzkontk5iS2OEsE0AHr18rBNkWxQ2HQA"
        "AACEBCUEaRQnMnbp79mxDXDf6AU0cN/RPBjb9qSHDcWZHGzUAAAAXcGhwc2VjbGliLWdlbmVyYXRlZC1rZXkBAg"
        "ME\n-----END PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKL"
        "s1Pt8QuKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEmo3qGy0t6z09AIJtH"
        "+5OeRV1be+N4cDYJKffGzDa88vQENZiRm0GRq6a+HPGQMd2kTQIhAKMSvzIBnni7ot/OSie2TmJLY4SwTQAevXy"
        "sE2RbFDYdAiEBCUEaRQnMnbp79mxDXDf6AU0cN/RPBjb9qSHDcWZHGzUCIG2Es59z8ugGrDY+pxLQnwfotadxd+"
        "Uyv/Ow5T0q5gIJAiEAyS4RaI9YG8EWx/2w0T67ZUVAw8eOMB6BIUg0Xcu+3okCIBOs/5OiPgoTdSy7bcF9IGpSE"
        "8ZgGKzgYQVZeN97Y==\n-----END RSA PRIVATE KEY-----\n")
    # jwt.go
    add(g, "jwt", True, *samples("jwt", draw(
        r"ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/_-]{17,}\.(?:[a-zA-Z0-9/_-]{10,}={0,2})?")),
        "python examples/cli.py eyJhbGciOiJIUzI1NiJ9.eyJJc3N1ZXIiOiJJc3N1ZXIiLCJVc2VybmFtZSI6IkJh"
        "ZFNlY3JldHMiLCJleHAiOjE1OTMxMzM0ODMsImlhdCI6MTQ2NjkwMzA4M30.ovqRikAo_0kKJ0GVrAwQlezymxrL"
        "GjcEiW_s3UJMMCo",
        '"Authorization": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2I'
        'ifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw"',
        '"value": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE1ODk1ODU1NjN9.PtfDS1niG'
        'oZ7pV6kplI-_q1fVKLnknQ3IwcrLZhoVCU",',
        "//                  authorization: 'eyJhbGciOiJIUzUxMiIsImlhdCI6MTU3Njk5Njc5OSwiZXhwIj"
        "oxNTg0ODU5MTk5fQ.eyJ1aWQiOjQ1NzQyN30.0ei5UE6OgLBzN2_IS7xUIbIfW_S1Wzl42q2UeusbboxuzvctO_4M"
        "z6YRr6f0PBLUVZMETxt8F0_4-yqIJ3_kUQ',")
    # kubernetes.go (the rule reads *.yaml files; the texts are whole manifests)
    add(g, "kubernetes-secret", True,
        "\napiVersion: v1\nkind: Secret\ndata:\n\tpassword: AAAAAAAAAAC7hjsA+H3owFygUv4w5B67lcSx14"
        "zff9FCPADiNbSwYWgE+O7Dhiy5tkRecs21ljjofvebe6xsYlA4cVmght0=",
        "\napiVersion: v1\nkind: Secret\nmetadata:\n  name: heketi-secret\n  namespace: default\n"
        'data:\n  # base64 encoded password. E.g.: echo -n "mypassword" | base64\n'
        "  key: bXlwYXNzd29yZA==",
        "apiVersion: v1\nkind: secret\ndata:\n\textra: YWRtaW46cGFzc3dvcmQ=\nmetadata:\n\t"
        "name: secret-sa-sample\n\tannotations:\n\t\tkubernetes.io/service-account.name: 'sa-name'",
        "apiVersion: 'v1'\nkind: 'Secret'\ndata:\n\tpassword: 'UyFCXCpkJHpEc2I9'\n\tusername: "
        "'YWRtaW4='\nmetadata:\n\tname: 'db-user-pass'\n\tnamespace: 'default'\ntype: 'Opaque'")
    add(g, "kubernetes-secret", False,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-auth-data\ntype: Opaque\n"
        "data:\n  htpasswd: ''\n",
        "apiVersion: v1\n data:\n \tpassword: {{ .Values.Password }}\n kind: secret\n metadata:"
        "\n \tname: secret-sa-sample",
        "apiVersion: v1\nkind: secret\ndata:\n\textra: YmFyCg==\nmetadata:\n\tname: "
        "secret-sa-sample",
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: example"
        "\nspec:\n  refreshInterval: 15s\n  secretStoreRef:\n    name: example\n    kind: "
        "SecretStore\n  target:\n    name: mysecret\n    creationPolicy: Owner\n  data:\n    - "
        "remoteRef:\n        conversionStrategy: Default\n        decodingStrategy: None\n        "
        "key: secret/mysecret\n        property: foo\n      secretKey: foo\n")
    # curl.go
    add(g, "curl-credentials", True,
        "curl --cacert ca.crt -u elastic:P@ssw0rd$1 https://localhost:9200",
        "sh-5.0$ curl -k -X POST https://infinispan:11222/rest/v2/caches/default/hello \\\n"
        "  -H 'Content-type: text/plain' \\\n  -d 'world' \\\n  -u developer:yqDVtkqPECriaLRi",
        'curl -u ":d2LkV78zLx!t" https://localhost:9200',
        'curl -u "d2LkV78zLx!t:" https://localhost:9200',
        "curl -sw '%{http_code}' -X POST --user  'johns:h0pk1ns~21s' $GItHUB_API_URL/$GIT_COMMIT "
        "--data",
        "curl --user roger23@gmail.com:pQ9wTxu4Fg https://www.dropbox.com/cli_lin"
        "k?host_id=abcdefg -v",
        "curl -s --user 'api:d2LkV78zLx!t' \\\n    https://api.mailgun.net/v2/sandbox91d3515882ecf"
        "aa1c65be642.mailgun.org/messages",
        'curl -s -v --user "j.smith:dB2yF6@qL9vZm1P#4J" "https://api.contoso.org/user/me"',
        "curl --user kevin:'pRf7vG2h1L8nQkW9' -iX PATCH -H \"Content-Type: application/json\" -d",
        "$ curl https://api.dropbox.com/oauth2/token \\\n  --user c28wlsosanujy2z:qgsnai0xokrw4j1 "
        "--data grant_type=authorization_code",
        "curl --header  'Authorization:  5eb4223e-5008-46e5-be67-c7b8f2732305'",
        "curl -H 'Authorization: Basic YnJvd3Nlcjo=' \\",
        '# curl -X GET "http://localhost:3000/api/cron/status" -H "Authorization: Bearer '
        'cfcabd11c7ed9a41b1a3e063c32d5114"',
        'curl https://api.openai.com/v1/chat/completions \\\n  -H "Content-Type: application/json" '
        '\\\n  -H "Authorization: Bearer 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" \\',
        'curl -H "Authorization: Bearer sha256~bRLFnzd59Z3XpZH5_seJPHALOuvbWiKwbFKSsoALkgp"',
        'curl -H "Authorization: Token 22cb987851bc5659229114c62e60c79abd0d2c08" --request PUT '
        "https://appsecclass.report/api/use/635",
        'curl -X GET \\\n     -H "apikey: c4ed6c21-9dd5-4a05-8e3f-c56d1151cce8" \\\n     -H '
        '"Accept: application/json" \\',
        'curl -X POST --header "Api-Token: Sk94HG7f6KB"',
        'curl -XPOST http://localhost:8080/api/tasks -H "Content-Type: application/x-www-form-'
        'urlencoded; charset=UTF-8" -H "Token: 3fea6af1349166ea" -d "content=hello-curl"')
    add(g, "curl-credentials", False,
        "curl -i -u 'test:test'", '   curl -sL --user "$1:$2" "$3" > "$4"',
        "curl -u <user:password> https://test.com/endpoint",
        "curl --user neo4j:[PASSWORD] http://[IP]:7474/db/data/",
        'curl -u "myusername" http://localhost:15130/api/check_user/', "curl -u username:token",
        'curl -u "${_username}:${_password}"', 'curl -u "${username}":"${password}"',
        'curl -k -X POST -I -u "SRVC_JENKINS:${APPID}"', 'curl -u ":" https://localhost:9200',
        "curl -sw '%{http_code}' -X POST --user '$USERNAME:$PASSWORD' $GItHUB_API_URL/$GIT_COMMIT "
        "--data",
        'curl --user "xxx:yyy"',
        'curl -XGET -i -u "${{ env.ELK_ID }}:${{ build.env.ELK_PASS }}"',
        'curl -X POST --user "$(cat ./login.txt):$(cat ./password.txt)"',
        "curl http://127.0.0.1:5000/file --user user:pass --digest        # digest auth",
        '   curl -X GET --insecure --user "username:password" \\',
        "curl --silent --insecure --user ${f5user}:${f5pass} \\",
        'curl https://example.com/micropub -d h=entry -d "content=Hello World" -H "Authorization: '
        'Bearer XXXXXXXXXXXX"',
        "curl -X POST https://accounts.spotify.com/api/token -d grant_type=client_credentials "
        '--header "Authorization: Basic ..."',
        'curl \\\n  -H "Authorization: Bearer <Openverse API token>" \\\n  '
        '"https://api.openverse.org/v1/audio/?q=test"',
        'curl -X GET \\\n     -H "apikey: $API_KEY" \\\n     -H "Accept: $FORMAT" \\\n'
        '"$API_URL/rest/v1/stats_derniere_labellisation"',
        'curl -X GET -H "Content-Type: application/json" -H "Authorization: Bearer $(gcloud auth '
        'print-access-token)" https://workflowexecutions.googleapis.com/v1/projects/244283331594')
    # database.go
    add(g, "database-password", True,
        *samples("DB_PASSWORD", draw("[a-zA-Z0-9:;<@=},!$?^]{20}"), 2),
        *samples("db_password", draw("[a-zA-Z0-9:;<@=},!$?^]{6}"), 2),
        *samples("DB_PASSWD", draw("[a-zA-Z0-9:;<@=},!$?^]{10}"), 2),
        "pwd = " + draw("[a-zA-Z0-9:;<@=},!$?^]{20}"), "pwd: " + draw("[a-zA-Z0-9:;<@=},!$?^]{50}"))
    add(g, "database-password", False, "DB_PASSWORD=[value]", "somepwd=XXXXXXXXXXXXXXX")
    # generic.go
    add(g, "generic-secret", True,
        *samples("generic", "CLOJARS_34bf0e88955ff5a1c328d6a7491acc4f48e865a7b8dd4d70a70749037443"),
        *samples("generic", "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"),
        "'access_token': 'eyJ0eXAioiJKV1slS3oASx=='",
        'some_api_token_123 = "' + draw("[a-zA-Z0-9]{60}") + '"',
        '"user_auth": "am9obmRvZTpkMDY5NGIxYi1jMTcxLTQ4ODYt+TMyYS0wMmUwOWQ1/mIwNjc="',
        '"credentials" : "0afae57f3ccfd9d7f5767067bc48b30f719e271ba470488056e37ab35d4b6506"',
        "creds = " + draw("[a-zA-Z0-9]{30}"), "private-key: " + draw(r"[a-zA-Z0-9\-_.=]{100}"),
        "passwd = " + draw(r"[a-zA-Z0-9\-_.=]{30}"),
        '"client_secret" : "6da89121079f83b2eb6acccf8219ea982c3d79bccc3e9c6a85856480661f8fde",',
        "mySecretString=" + draw("[a-zA-Z0-9]{30}"),
        "todo_secret_do_not_commit = " + draw("[a-zA-Z0-9]{30}"),
        ' utils.GetEnvOrDefault("api_token", "dafa7817-e246-48f3-91a7-e87653d587b8")')
    add(g, "generic-secret", False,
        '"accessor":"rA1wk0Y45YCufyfq",', "report_access_id: e8e4df51-2054-49b0-ab1c-516ac95c691d",
        'accessibilityYesOptionId = "0736f5ef-7e88-499a-80cc-90c85d2a5180"',
        "_RandomAccessIterator>\n_LIBCPP_CONSTEXPR_AFTER_CXX11 ",
        'this.ultraPictureBox1.Name = "ultraPictureBox1";', "rapidstring:marm64-uwp=fail",
        "event-bus-message-api:rc0.15.0_20231217_1420-SNAPSHOT'",
        "COMMUNICATION_API_VERSION=rc0.13.0_20230412_0712-SNAPSHOT",
        "MantleAPI_version=9a038989604e8da62ecddbe2094b16ce1b778be1",
        "[DEBUG]\t\torg.slf4j.slf4j-api:jar:1.7.8.:compile (version managed from default)",
        "[DEBUG]\t\torg.neo4j.neo4j-graphdb-api:jar:3.5.12:test", "apiUrl=apigee.corpint.com",
        'X-API-Name": "NRG0-Hermes-INTERNAL-API",', 'author = "james.fake@ymail.com",',
        "X-MS-Exchange-Organization-AuthSource: sm02915.int.contoso.com",
        "Authentication-Results: 5h.ca.iphmx.com",
        "withCredentials([usernamePassword(credentialsId: '29f63271-dc2f-4734-8221-5b31b5169bac', "
        "usernameVariable: 'USERNAME', passwordVariable: 'PASSWORD')]) {",
        "credentialsId: 'ff083f76-7804-4ef1-80e4-fe975bb9141b'",
        "jobCredentialsId: 'f4aeb6bc-2a25-458a-8111-9be9e502c0e7'",
        '  "credentialId": "B9mTcFSck2LzJO2S3ols63",',
        'environment {\n\tCREDENTIALS_ID = "K8S_CRED"\n}',
        "dev.credentials.url=dev-lb1.api.f4ke.com:5215",
        'keyword: "Befaehigung_P2"', 'public_key = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
        "pub const X509_pubkey_st = struct_X509_pubkey_st;", "|| pIdxKey->default_rc==0",
        "monkeys-audio:mx64-uwp=fail", "primaryKey=" + draw(r"[a-zA-Z0-9\-_.=]{30}"),
        "foreignKey=" + draw(r"[a-zA-Z0-9\-_.=]{30}"),
        "key_down_event=" + draw(r"[a-zA-Z0-9\-_.=]{30}"),
        "issuerKeyHash=" + draw(r"[a-zA-Z0-9\-_.=]{30}"),
        '<entry key="jetbrains.mps.v8_elimination" value="executed" />',
        "minisat-master-keying:x64-uwp=fail", "IceSSL.KeyFile=s_rsa1024_priv.pem",
        '"bucket_key": "SalesResults-1.2"',
        '<key tag="SecurityIdentifier" name="SecurityIdentifier" type="STRING" />',
        "schemaKey = 'DOC_Vector_5_32'", 'sequenceKey = "18"', "app.keystore.file=env/cert.p12",
        "-DKEYTAB_FILE=/tmp/app.keytab", "\tdoc.Security.KeySize = PdfEncryptionKeySize.Key128Bit;",
        "o.keySelector=n,o.haKey=!1,",
        '                                "key_name": "prod5zyxlmy-cmk",',
        '                                "kms_key_id": "555ea4a3-d53a-4412-9c66-3a7cb667b0d6",',
        '\t"key_vault_name": "web21prqodx24021",', "  keyVaultToStoreSecrets: cmp2-qat-1208358310",
        ',apiKey:"6fe4476ee5a1832882e326b506d14126",',
        'const validKeyChars = "0123456789abcdefghijklmnopqrstuvwxyz_-."',
        'const keyStr = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"',
        "key_length = XSalsa20.key_length",
        'pub const SN_id_Gost28147_89_None_KeyMeshing = "id-Gost28147-89-None-KeyMeshing"',
        "KeyPair = X25519.KeyPair", "BlindKeySignatures = Ed25519.BlindKeySignatures",
        'AVEncVideoMaxKeyframeDistance, "2987123a-ba93-4704-b489-ec1e5f25292c"',
        "            keyPressed = kVK_Return.u16",
        'timezone_mapping = {\n    "Turkey Standard Time": "Europe/Istanbul",\n}',
        "password combination.\n\nR5: Regulatory--21", "PuttyPassword=0",
        'LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"',
        "  <UserSecretsId>79a3edd0-2092-40a2-a04d-dcb46d5ca9ed</UserSecretsId>",
        "secret_length = X25519.secret_length", "secretSize must be >= XXH3_SECRET_SIZE_MIN",
        "# get build time secret for authentication\n#RUN --mount=type=secret,id=jfrog_secret \\\n"
        "#    JFROG_SECRET = $(cat /run/secrets/jfrog_secret) && \\",
        "    access_token_url='https://github.com/login/oauth/access_token',",
        'publicToken = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
        '<SourceFile SourceLocation="F:\\Extracts\\" TokenFile="RTL_INST_CODE.cer">',
        'notes            = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"',
        "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U"
        "2AbhIvUw==",
        'clientId = "73082700-1f09-405b-80d0-3131bfd6272d"',
        "GITHUB_API_KEY=\nDYNATRACE_API_KEY=", "snowflake.password=\njdbc.snowflake.url=",
        "import { chain_Anvil1_Key, chain_Anvil2_Key } from '../blockchain-tests/pallets/"
        "supported-chains/consts';",
        'SRCREV_moby = "43fc912ef59a83054ea7f6706df4d53a7dea4d80"',
        'LIC_FILES_CHKSUM = "file://${WORKDIR}/license.html;md5=5c94767cedb5d6987c902ac850ded2c6"')
    _gitleaks_vendors(g)


def _gitleaks_vendors(g: str) -> None:
    # slack.go
    add(g, "slack-token", True,
        *samples("bot", "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD", 2),
        '"bot_token2": "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1MBS"',
        '"bot_token3": "xoxb-4614724432022-5152386766518-O5WzjWGLG0wcCm2WPrjEmnys"',
        '"user_token1": "xoxp-41684372915-1320496754-45609968301-e708ba56e1517a99f6b5fb07349476ef"',
        '"user_token2": '
        '"xoxp-283316862324-298911817009-298923149681-44f585044dace54f5701618e97cd1c0b"',
        '"url_private": "https:\\/\\/files.slack.com\\/files-pri\\/T04MCQMEXQ9-F04MAA1PKE3\\/image.'
        'png?t=xoxe-4726837507825-4848681849303-4856614048758-e0b1f3d4cb371f92260edb0d9444d206"',
        '"token2": "xapp-1-IEMF8IMY1OQ-4037076220459-85c370b433e366de369c4ef5abdf41253519266982439'
        'a75af74a3d68d543fb6"',
        '"access_token1": "xoxe.xoxp-1-Mi0yLTM0MTQwNDE0MDE3Ni0zNjU5NDY0Njg4MTctNTE4MjA3NTQ5NjA4MC01'
        'NDEyOTYyODY5NzUxLThhMTBjZmI1ZWIzMGIwNTg0ZDdmMDI5Y2UxNzVlZWVhYzU2ZWQyZTZiODNjNDZiMGUxMzRl'
        'NmNjNDEwYmQxMjQ"',
        '"refresh_token1": "xoxe-1-My0xLTMxNzcwMjQ0MTcxMy01MTU4MTUyNjkxNzE0LTUxODE4NDI0MDY3MzYtMjA'
        '5MGFkOTFlZThkZWE2OGFlZDYwYWJjODNhYzAxYjA5ZjVmODBhYjgzN2QyNDdjOTNlOGY5NTg2YWM1OGM4Mg"',
        '"bot_token1": "xoxb-263594206564-FGqddMF8t08v8N7Oq4i57vs1"',
        '"bot_token2": "xoxb-282029623751-BVtmnS3BQitmjZvjpQL7PSGP"',
        '"bot_token4": "xoxb-123456789012-Xw937qtWSXJss1lFaKe"',
        '"bot_token9": "xoxb-50014434-slacktokenx29U9X1bQ"',
        '"access_token": "xoxa-2-511111111-31111111111-3111111111111-e039d02840a0b9379c"',
        '"refresh_token2": "xoxr-' + draw(AN % 12),
        '"access_token1": "xoxs-3206092076-3204538285-3743137121-836b042620"',
        '"access_token7": "xoxo-523423-234243-234233-e039d02840a0b9379c"')
    add(g, "slack-token", False,
        "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx", "xoxb-xxx", "xoxb-12345-abcd234",
        "xoxb-xoxb-my-bot-token",
        "https://docs.google.com/document/d/1W7KCxOxP-1Fy5EyF2lbJGE2WuKmu5v0suYqoHas1jRM",
        '"token1": "xoxp-1234567890"',
        '"token2": "xoxp-XXXXXXXXXX-XXXXXXXXXX-XXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"',
        '"token4": "xoxp-572370529330-573807301142-572331691188-####################"',
        "xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere", "xoxe.xoxp-1-RANDOMSTRINGHERE",
        "xoxe.xoxp-1-initial", "xoxe-1-xxx", "XOxE-RROAmw, Home and Garden, 5:24, 20120323",
        "xoxb-xxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx", "xoxb-Slack_BOT_TOKEN", "xoxb-abcdef-abcdef",
        "https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md",
        "https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg")
    # stripe.go, openai.go, anthropic.go
    add(g, "stripe-key", True, 'stripeToken := "sk_test_' + draw(AN % 30) + '"')
    add(g, "openai-api-key", True,
        *samples("openaiApiKey", "sk-" + draw(AN % 20) + "T3BlbkFJ" + draw(AN % 20), 2),
        "sk-proj-SevzWEV_NmNnMndQ5gn6PjFcX_9ay5SEKse8AL0EuYAB0cIgFW7Equ3vCbUbYShvii6L3rBw3WT3Blbk"
        "FJdD9FqO9Z3BoBu9F-KFR6YJtvW6fUfqg2o2Lfel3diT3OCRmBB24hjcd_uLEjgr9tCqnnerVw8A",
        "sk-svcacct-0Zkr4NUd4f_6LkfHfi3LlC8xKZQePXJCb21UiUWGX0F3_-6jv9PpY9JtaoooN9CCUPltpFiamwT3"
        "BlbkFJZVaaY7Z2aq_-I96dwiXeKVhRNi8Hs7uGmCFv5VTi2SxzmUsRgJoUJCbgPFWSXYDPPbYHJAuwIA",
        "sk-admin-JWARXiHjpLXSh6W_0pFGb3sW7yr0cKheXXtWGMY0Q8kbBNqsxLskJy0LCOT3BlbkFJgTJWgjMvdi6Yl"
        "PvdXRqmSlZ4dLK-nFxUG2d9Tgaz5Q6weGVNBaLuUmMV4A")
    add(g, "anthropic-api-key", True,
        "sk-ant-api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaa"
        "ogaopaaaabc123xyzAA",
        sample("anthropic", "sk-ant-api03-" + draw(ANXS % 93) + "AA"),
        sample("anthropic", "sk-ant-admin01-" + draw(ANXS % 93) + "AA"))
    # hashicorp_vault.go, hashicorp.go
    add(g, "vault-token", True, sample("vault", draw(r"s\.[0-9][a-zA-Z0-9]{23}")),
        "token: s.ZC9Ecf4M5g9o34Q6RkzGsj0z", sample("vault", draw(r"hvs\.[0-9][\w\-]{89}")),
        '-vaultToken hvs.CAESIP2jTxc9S2K7Z6CtcFWQv7-044m_oSsxnPE1H3nF89l3GiYKHGh2cy5sQmlIZVNyTWJNc'
        'DRsYWJpQjlhYjVlb1cQh6PL8wEYAg"', *samples("vault", "hvb." + draw(ANXS % 138), 1))
    add(g, "vault-token", False,
        "  credentials: new AWS.SharedIniFileCredentials({ profile: '<YOUR_PROFILE>' })",
        "INFO 4 --- [           main] o.s.b.f.s.DefaultListableBeanFactory     : Overriding bean "
        "definition for bean", "s.xxxxxxxxxxxxxxxxxxxxxxxx", "s.THISSTRINGISALLUPPERCASE",
        "s.thisstringisalllowercase", "s.AcceptanceTimeoutSeconds ",
        "s.makeKubeConfigController = args", "hvs." + "x" * 90)
    add(g, "terraform-token", True,
        *samples("hashicorpToken", draw(HEX % 14) + ".atlasv1." + draw(ANX % "60,70"), 2),
        '#token = "hE1hlYILrSqpqh.atlasv1.ARjZuyzl33F71WR55s6ln5GQ1HWIwTDDH3MiRjz7OnpCfaCb1RCF5zGa'
        'SncCWmJdcYA"', 'administrator_login_password = "thisIsDog11"',
        'password       = "rootpasswd"')
    add(g, "terraform-token", False,
        'token        = "xxxxxxxxxxxxxx.atlasv1.' + "x" * 67 + '"',
        "administrator_login_password = var.db_password",
        'password = "${aws_db_instance.default.password}"')
    # heroku.go, atlassian.go, discord.go, facebook.go, datadog.go
    add(g, "heroku-api-key", True, *samples("heroku", draw(UUID), 2),
        'heroku_api_key = "832d2129-a846-4e27-99f4-7004b6ad53ef"',
        *samples("heroku", "HRKU-AA" + draw("[0-9a-zA-Z_-]{58}"), 1),
        'API_Key = "HRKU-AAy9Ppr_HD2pPuTyIiTYInO0hbzhoERRSO93ZQusSYHgaD7_WQ07FnF7L9FX"')
    add(g, "atlassian-token", True,
        *[t for i in ("atlassian", "confluence", "jira")
          for t in samples(i, draw(AN % 20 + "[a-f0-9]{4}"), 1)],
        "JIRA_API_TOKEN=HXe8DGg1iJd2AopzyxkFB7F2",
        *samples("jira", "ATATT3xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_"
                 "UjnDt-4Wl_gIRf4zrZJs5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz5"
                 "6mdK-G6CIvLO6hHRrZHY0Q3tvJ6JxE=C63992E6", 1))
    add(g, "atlassian-token", False, "getPagesInConfluenceSpace,searchConfluenceUsingCql")
    add(g, "discord-token", True, *samples("discord", draw(HEX % 64), 2),
        *samples("discord", draw(NUM % 32), 1))
    add(g, "discord-token", False, "discord=000000000000000000",
        "discord=00000000000000000000000000000000")
    add(g, "facebook-token", True, *samples("facebook", draw(HEX % 32), 2),
        'facebook_app_secret = "6dca6432e45d933e13650d1882bd5e69"',
        "facebook_client_access_token: 26f5fd13099f2c1331aafb86f6489692",
        '{"facebook access_token":"911602140448729|AY-lRJZq9BoDLobvAiP25L7RcMg","token_type":'
        '"bearer"}',
        "facebook 1308742762612587|rhoK1cbv0DOU_RTX_87O4MkX7AI",
        "EAAM9GOnCB9kBO2frzOAWGN2zMnZClQshlWydZCrBNdodesbwimx1mfVJgqZBP5RSpMfUzWhtjTTXHG5I1Ulvlw"
        "RZCgjm3ZBVGeTYiqAAoxyED6HaUdhpGVNoPUwAuAWWFsi9OvyYBQt22DGLqMIgD7VktuCTTZCWKasz81Q822FPh"
        "MTB9VFFyClNzQ0NLZClt9zxpsMMrUZCo1VU1rL3CKavir5QTfBjfCEzHNlWAUDUV2YZD")
    add(g, "facebook-token", False, "eaaaC0b75a9329fded2ffa9a02b47e0117831b82",
        '"strict-uri-encode@npm:^2.0.0":\n  version: 2.0.0\n  resolution: "strict-uri-encode@npm:'
        '2.0.0"\n  checksum: eaac4cf978b6fbd480f1092cab8b233c9b949bcabfc9b598dd79a758f7243c28765'
        "ef7639c876fa72940dac687181b35486ea01ff7df3e65ce3848c64822c581\n  languageName: node\n"
        "  linkType: hard")
    add(g, "datadog-token", True, *samples("datadog", draw(AN % 40), 2))
    # 1password.go
    add(g, "1password-token", True,
        sample("1password", draw("ops_eyJ[a-zA-Z0-9+/]{250}")),
        *samples("1password", draw("A3-[A-Z0-9]{6}-[A-Z0-9]{11}-[A-Z0-9]{5}-[A-Z0-9]{5}-"
                                   "[A-Z0-9]{5}"), 1),
        "A3-ASWWYB-798JRYLJVD4-23DC2-86TVM-H43EB", "A3-ASWWYB-798JRY-LJVD4-23DC2-86TVM-H43EB")
    add(g, "1password-token", False,
        "        login:\n          serviceAccountToken:\n            fn::secret: "
        "ops_eyJzaWduSW5B..[Redacted]",
        ": To start using this service account, run the following command:\n:\n: export "
        "OP_SERVICE_ACCOUNT_TOKEN=ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...",
        "ops_eyJ" + "x" * 260, "A3-XXXXXX-XXXXXXXXXXX-XXXXX-XXXXX-XXXXX")
    # twilio.go, sendgrid.go, npm.go, sentry.go, jfrog.go
    add(g, "twilio-api-key", True, *samples("twilio", "SK" + draw(HEX % 32), 2))
    add(g, "sendgrid-api-key", True, sample("sengridAPIToken", "SG." + draw(ANX % 66)))
    add(g, "npm-token", True, sample("npmAccessToken", "npm_" + draw(AN % 36)))
    add(g, "sentry-token", True, sample("sentry", draw(HEX % 64)))
    add(g, "jfrog-token", True, "--set imagePullSecretJfrog.password=" + draw(AN % 73),
        *samples("jfrog", draw(AN % 64), 1), *samples("artifactory", draw(AN % 64), 1),
        '"artifactory", "' + draw(AN % 64) + '"')
    # grafana.go
    add(g, "grafana-token", True, *samples("grafana-api-key", "eyJrIjoi" + draw(AN % 70), 1),
        *samples("grafana-cloud-api-token", "glc_" + draw(AN % 32), 1),
        "loki_key: glc_eyJvIjoiNzQ0NTg3IiwibiI7InN0YWlrLTQ3NTgzMC1obC13cml0ZS1oYW5kc29uJG9raSIsImsi"
        "OiI4M2w3cmdYUlBoMTUyMW1lMU023nl5UDUiLCJtIjp7IOIiOiJ1cyJ9fQ==",
        *samples("grafana-service-account-token", "glsa_" + draw(AN % 32) + "_" + draw(HEX % 8), 1),
        "'Authorization': 'Bearer glsa_pITqMOBIfNH2KL4PkXJqmTyQl0D9QGxF_486f63e1'")
    add(g, "grafana-token", False, "glc_" + "x" * 68,
        '   API_KEY="glc_111111111111111111111111111111111111111111="',
        "static void GLC_CreateLightmapTextureArray(void);\nstatic void "
        "GLC_CreateLightmapTexturesIn"
        "dividual(void);\n\nvoid GLC_UploadLightmap(int textureUnit, int lightmapnum);",
        "glsa_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX_AAAAAAAA")
    # huggingface.go
    add(g, "huggingface-token", True, *samples("huggingface", "hf_" + draw("[a-zA-Z]{34}"), 2),
        "huggingface-cli login --token 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",
        '-H "Authorization: Bearer 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"',
        "DEV=1 HF_TOKEN=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 poetry run python app.py",
        "use_auth_token='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')",
        'CI_HUB_USER_TOKEN = "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"',
        '    parser.add_argument("--hf_token", type=str, default=\'hf_RdeidRutJuADoVDqPyuIodVhcFnZ'
        "IqXAfb', help=\"Hugging Face Access Token to access PyAnnote gated models\")",
        "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",
        "os.environ['HUGGINGFACEHUB_API_TOKEN'] = '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'")
    add(g, "huggingface-token", False,
        "- (id)hf_requiredCharacteristicTypesForDisplayMetadata;",
        'amazon.de#@#div[data-cel-widget="desktop-rhf_SponsoredProductsRemoteRHFSearchEXPSubsK2Cli'
        'ckPagination"]', "                            _kHMSymptomhf_generatedByHomeAppForDebugging"
        "PurposesKey,",
        '        os.environ.get("HF_AUTH_TOKEN",\n\t\t"hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),',
        'public static final String API_ORG_EXIST = "APIOrganizationExist";',
        "const api_org_controller = require('../../controllers/api/index').organizations;",
        '<p>You should see a token <code>hf_xxxxx</code> (old tokens are <code>api_XXXXXXXX</code> '
        "or <code>api_org_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX</code>).</p>")
    # telegram.go
    token = draw(NUM % 8) + ":A" + draw(ANXS % 34)
    add(g, "telegram-bot-token", True, sample("telegram", token),
        f'const bot = new Telegraf("{token}")',
        "TELEGRAM_API_TOKEN = " + token, "telegram bot: " + token)
    add(g, "telegram-bot-token", False, sample("telegram", '<xsd:element name="AgencyIdentificati'
        'onCode" type="clm' + draw(NUM % 5) + ':AgencyIdentificationCodeContentType"/>'))


def detect_secrets() -> None:
    d = "detect-secrets"
    value = "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}"
    # keyword_test.py: a sample of the standard positives, every standard negative
    add(d, "keyword", True, f'apikey := "{value}"', f"apikey:= {value}", f'"theapikey": "{value}"',
        f"apikey: {value}", f'some_dict["secret"] = "{value}"', f"my_password={value}",
        f'apikey "{value}";', f"private_key '{value}';")
    add(d, "keyword", False, 'theapikey := ""', 'theapikey := "somefakekey"',
        "theapikeyforfoo := hopenobodyfindsthisone", 'theapikey: ""', 'theapikey: "somefakekey"',
        "theapikeyforfoo:hopenobodyfindsthisone", "password: ${link}", 'theapikey[] = ""',
        'theapikey = @"somefakekey"', 'some_key = "real_secret"', 'my_password = ""',
        "my_password = ''", 'my_password = "fakesecret"', 'open(self, password = ""):',
        "my_password = foo(hey)you", "my_password = request.json_body['hey']", "my_password = True",
        "login(username=username, password=password)", 'private_key "";',
        "private_key '\"no spaces';", 'private_key "fake";',
        'private_key "some/dir/aint/a/secret";',
        'private_key "${FOO}";', "apiKey: this.apiKey,", "apiKey: fs.readFileSync('foo',",
        "$password = $input;")
    # aws_key_test.py, basic_auth_test.py, private_key_test.py
    add(d, "aws-access-key-id", False, "akiazzzzzzzzzzzzzzzz", "AKIAZZZ")
    add(d, "basic-auth-url", True, "https://username:password@yelp.com")
    add(d, "basic-auth-url", False, "http://localhost:5000/<%= @variable %>",
        '"https://url:8000";@something else', "'https://url:8000';@something else",
        "https://url:8000 @something else", "https://url:8000/ @something else")
    add(d, "private-key", True,
        "-----BEGIN RSA PRIVATE KEY-----\nsuper secret private key here\n-----END RSA PRIVATE "
        "KEY-----",
        "some text here\n-----BEGIN PRIVATE KEY-----\nyabba dabba doo")
    # jwt_test.py
    add(d, "jwt", True,
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
        "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "eyJ0eXAiOiJKV1QiLA0KImFsZyI6IkhTMjU2In0.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lI"
        "iwiaWF0IjoxNTE2MjM5MDIyfQ",
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiSm9lIiwKInN0YXR1cyI6ImVtcGxveWVlIgp9",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IsWww6HFkcOtIMOWx"
        "ZHDqcOoIiwiaWF0IjoxNTE2MjM5MDIyfQ.k5HibI_uLn_RTuPcaCNkaVaQH2y5q6GvJg8GPpGMRwQ")
    add(d, "jwt", False,
        '{"alg":"HS256","typ":"JWT"}.{"name":"Jon Doe"}.'
        'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        "bm90X3ZhbGlkX2pzb25fYXRfYWxs.bm90X3ZhbGlkX2pzb25fYXRfYWxs.SflKxwRJSMeKKF2QT4fwpMeJf36POk6"
        "yJV_adQssw5c", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "jwt", "eyJAAAA.eyJBBB",
        "eyJBB.eyJCC.eyJDDDD")
    # slack_test.py, stripe_key_test.py, openai_test.py, telegram_token_test.py
    add(d, "slack-token", True, "xoxp-523423-234243-234233-e039d02840a0b9379c",
        "xoxs-523423-234243-234233-e039d02840a0b9379c",
        "xoxa-2-511111111-31111111111-3111111111111-e039d02840a0b9379c",
        "xoxr-523423-234243-234233-e039d02840a0b9379c", "xoxb-34532454-e039d02840a0b9379c")
    add(d, "stripe-key", True, "sk_live_ReTllpYQYfIZu2Jnf2lAPFjD",
        "rk_live_5TcWfjKmJgpql9hjpRnwRXbT")
    add(d, "stripe-key", False, "pk_live_j5krY8XTgIcDaHDb3YrsAfCl", "sk_live_")
    add(d, "openai-api-key", True, "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",
        "sk-proj-Xi8tdMjHV6pmbBbwilTeT3BlbkFJ3UDnpdEwNNm6wVBpYM0o")
    add(d, "telegram-bot-token", True, "110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw",
        "7213808860:AAH1bjqpKKW3maRSPAxzIU-0v6xNuq2-NjM")
    add(d, "telegram-bot-token", False, "foo",
        "arn:aws:sns:aaa:111122223333:aaaaaaaaaaaaaaaaaaassssssddddddddddddd")
    # discord_test.py, npm_test.py, pypi_token_test.py, azure_storage_key_test.py
    add(d, "discord-bot-token", True, "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
        "Nzk5MjgxNDk0NDc2NDU1OTg3.YABS5g.2lmzECVlZv3vv6miVnUaKPQi2wI",
        "MZ1yGvKTjE0rY0cV8i47CjAa.uRHQPq.Xb1Mk2nEhe-4iUcrGOuegj57zMC",
        "OTUyNED5MDk2MTMxNzc2MkEz.GSroKE.g2MTwve8OnUAAByz8KV_ZTV1Ipzg4o_NmQWUMs",
        "MTAyOTQ4MTN5OTU5MTDwMEcxNg.GSwJyi.sbaw8msOR3Wi6vPUzeIWy_P0vJbB0UuRVjH8l8")
    add(d, "npm-token", True,
        "//registry.npmjs.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002",
        "//registry.npmjs.org/:_authToken= 743b294a-cd03-11ec-9d64-0242ac120002")
    add(d, "npm-token", False, "//registry.npmjs.org/:_authToken=${NPM_TOKEN}")
    add(d, "pypi-token", True,
        "pypi-AgEIcHlwaS5vcmcCJDU3OTM1MjliLWIyYTYtNDEwOC05NzRkLTM0MjNiNmEwNWIzYgACF1sxLFsitesttest"
        "bWluaW1hbC1wcm9qZWN0Il1dAAIsWzIsWyJjYWY4OTAwZi0xNDMwLTRiYQstYmFmMi1mMDE3OGIyNWZhNTkiXV0AAA"
        "Ygh2UINPjWBDwT0r3tQ1o5oZyswcjN0-IluP6z34SX3KM")
    add(d, "azure-storage-key", True,
        "AccountKey=lJzRc1YdHaAA2KCNJJ1tkYwF/+mKK6Ygw0NGe170Xu592euJv2wYUtBlV8z+qnlcNQSnIYVTkLWntUO"
        "1F8j8rQ==")
    # gitlab_token_test.py, gh_test.py (the GitHub Enterprise plugin's keyword cases)
    add(d, "gitlab-token", True, "glpat-hellOworld380_testin", "gldt-HwllOuhfw-wu0rlD_yep",
        "GR1348941PREfix_helloworld380", "glcbt-helloworld380_testin",
        "glimt-my-tokens_are-correctAB38", "glptt-Need5_T00-be-exactly-40-chars--ELse_fail")
    add(d, "gitlab-token", False, "foo-hello-world80_testin", "glagent-" + "X" * 1025)
    add(d, "github-token", True, "github-key 2764d47e6bf540911b7da8fe55caa9451e783549",
        "github_pwd :53d49d5081266d939bac57a3d86c517ded974b19",
        "gh-api-key=2764d47e6bf540911b7da8fe55caa9451e783549 ",
        "https://username:abcdef0123456789abcdef0123456789abcdef01@github.ibm.com",
        "Authorization: Basic YWJjZWRmYWJlZmQzMzMzMTQ1OTA4YWJjZGRmY2JkZGUxMTQ1Njc4OQo=")
    add(d, "github-token", False, "abcdef0123456789abcdef0123456789abcdef01",
        "gh-token=53d49dnotakeyata9bac57a3d86c517ded974b19",
        "https://<fake-username>:<fake-pass>@github.ibm.com", "Authorization: token %s")
    # high_entropy_strings_test.py (a quoted random string is a secret to that plugin)
    add(d, "high-entropy-string", True,
        "'c3VwZXIgbG9uZyBzdHJpbmcgc2hvdWxkIGNhdXNlIGVub3VnaCBlbnRyb3B5'",
        "'2b00042f7481c7b056c4b410d28f33cf'",
        "'I6FwzQZFL9l-44nviI1F04OTmorMaVQf9GS4Oe07qxL_vNkW6CRas4Lo42vqJMT0M6riJfma_f-pTAuoX2U='")
    add(d, "high-entropy-string", False, "'c3VwZXIgc2VjcmV0IHZhbHVl'", "'aaaaaa'",
        "'Zrm-ySTAq7D2sHk='")


def trufflehog() -> None:
    t = "trufflehog"
    # pkg/detectors/aws/access_keys/accesskey_test.go
    add(t, "aws-access-key-id", True,
        "\n\t\t\t\taws credentials{\n\t\t\t\t\tid: ABIAS9L8MS5IPHTZPPUQ\n\t\t\t\t\tsecret: "
        ".v2QPKHl7Lc"
        "dVYsjaR4LgQiZ1zw3MAnMyiondXC63;\n\t\t\t\t}\n\t\t\t")
    # pkg/detectors/uri/uri_test.go
    add(t, "basic-auth-url", True, "You can find a uri secret https://user:pass@httpwatch.com/httpgal"
        "lery/authentication/authenticatedimage/default.aspx within")
    add(t, "basic-auth-url", False, "Both https://httpwatch::********@www.httpwatch.com/httpgallery/"
        "authentication/authenticatedimage/default.aspx?foo=bar and https://httpwatch::%2A%2A%2A"
        "%2A%2A%2A@www.httpwatch.com/httpgallery/authentication/authenticatedimage/default.aspx?"
        "foo=bar have been redacted within")


def main() -> None:
    gitleaks()
    detect_secrets()
    trufflehog()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS),
        encoding="utf-8")
    pos = sum(r["secret"] for r in ROWS)
    print(f"{OUT.name}: {len(ROWS)} rows, {pos} secrets, {len(ROWS) - pos} not secrets")


if __name__ == "__main__":
    main()
