ARG TAG=latest
# disagree FS0501: hadolint does not resolve the ARG default
FROM python:${TAG} AS resolved
# disagree FS0501: a variant tag with no Python version follows the newest Python
FROM python:slim AS variant
# disagree FS0503: upgrading the packaging toolchain is not an application dependency
RUN pip install --no-cache-dir --upgrade pip setuptools wheel
# disagree FS0503: a compatible-release range is not a pin
RUN pip install --no-cache-dir "redis~=5.2"
# disagree FS0503: neither is a lower bound
RUN pip install --no-cache-dir "celery>=5.4"
# disagree FS0903: only the final stage's command runs
CMD python build.py
FROM python:3.12-slim
# disagree FS0903: `exec` makes the app PID 1
CMD exec gunicorn --bind ":$PORT" app:app
# disagree FS0503: a requirements file on the same command does not pin the other names
RUN pip install --no-cache-dir -r requirements.txt gunicorn
