FROM python AS untagged
RUN pip install --no-cache-dir requests
RUN pip install --no-cache-dir -r requirements.txt
RUN python -m pip install --no-cache-dir flask==3.1.0 celery
RUN pip install --no-cache-dir .
FROM python:latest AS tagged-latest
RUN pip install --no-cache-dir -c constraints.txt redis
FROM untagged
RUN pip install --no-cache-dir gunicorn==23.0.0
ENTRYPOINT gunicorn app:app
