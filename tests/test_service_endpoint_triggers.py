"""FS0402's byte prefilter (checks/backing_services/hardcoded_service_endpoint.py) must let each
client through on its own: every snippet below has one client-module word and one call shape (or a
Django key, or an endpoint-setting stem) and a hardcoded endpoint FS0402 reports. Dropping any
trigger word hides that finding. Not covered: trigger words another always accompanies
(`pymysql` holds `mysql`; `RedisCluster(`, `MongoClient(`, `AdminClient(` hold `Client(`/`Cluster(`;
`get_client(` holds `client(`)."""

from __future__ import annotations

import pytest

from factorscan import api

SNIPPETS = {
    "psycopg-connect": 'import psycopg2\n\nconn = psycopg2.connect(host="db", dbname="shop")\n',
    "mysql": 'import mysql.connector\n\nconn = mysql.connector.connect(host="db")\n',
    "MySQLdb": 'import MySQLdb\n\nconn = MySQLdb.connect("db")\n',
    "asyncpg-create_pool": 'import asyncpg\n\nasync def pool():\n    return await asyncpg.create_pool(host="db")\n',
    "aiopg": 'import aiopg\n\nasync def conn():\n    return await aiopg.connect(host="db")\n',
    "pg8000-Connection": 'import pg8000.native\n\nconn = pg8000.native.Connection("shop", host="db")\n',
    "mariadb": 'import mariadb\n\nconn = mariadb.connect(host="db")\n',
    "sqlalchemy-URL.create": 'from sqlalchemy import URL\n\nurl = URL.create("postgresql", host="db")\n',
    "redis-Redis": 'import redis\n\ncache = redis.Redis(host="redis")\n',
    "redis-Pool": 'import redis\n\npool = redis.ConnectionPool(host="redis")\n',
    "valkey-Valkey": 'import valkey\n\ncache = valkey.Valkey(host="valkey")\n',
    "pymongo": 'import pymongo\n\nclient = pymongo.MongoClient("mongo")\n',
    "motor-MotorClient": 'from motor.motor_tornado import MotorClient\n\nclient = MotorClient("mongo")\n',
    "pika-ConnectionParameters": 'import pika\n\nparams = pika.ConnectionParameters("rabbitmq")\n',
    "kombu-Connection": 'import kombu\n\nconn = kombu.Connection("rabbitmq")\n',
    "boto3-client": 'import boto3\n\ns3 = boto3.client("s3", endpoint_url="http://minio:9000")\n',
    "boto3-resource": 'import boto3\n\ns3 = boto3.resource("s3", endpoint_url="http://minio:9000")\n',
    "elasticsearch-Elasticsearch": 'import elasticsearch\n\nes = elasticsearch.Elasticsearch(["es"])\n',
    "opensearch-OpenSearch": 'import opensearchpy\n\nsearch = opensearchpy.OpenSearch(["opensearch"])\n',
    "create_connection": "from elasticsearch_dsl import connections\n\n"
    'connections.create_connection(hosts=["es"])\n',
    "smtplib-SMTP": 'import smtplib\n\nmail = smtplib.SMTP("mailhog")\n',
    "SMTP_SSL": 'import smtplib\n\nmail = smtplib.SMTP_SSL("mailserver")\n',
    "LMTP": 'import smtplib\n\nmail = smtplib.LMTP("dovecot")\n',
    "kafka-Producer": 'import confluent_kafka\n\nout = confluent_kafka.Producer({"bootstrap.servers": "kafka:9092"})\n',
    "Consumer": 'import confluent_kafka\n\nsource = confluent_kafka.Consumer({"bootstrap.servers": "kafka:9092"})\n',
    "memcache-Client": 'import memcache\n\ncache = memcache.Client(["memcached"])\n',
    "pylibmc": 'import pylibmc\n\ncache = pylibmc.Client(["memcached"])\n',
    "cassandra-Cluster": 'from cassandra.cluster import Cluster\n\ncluster = Cluster(["cassandra"])\n',
    "ldap3-Server": 'import ldap3\n\nserver = ldap3.Server("ldap")\n',
    "clickhouse": 'import clickhouse_connect\n\nclient = clickhouse_connect.get_client(host="clickhouse")\n',
    "influxdb": 'from influxdb_client import InfluxDBClient\n\nclient = InfluxDBClient(url="http://influxdb:8086")\n',
    "minio-Minio": 'from minio import Minio\n\nstore = Minio("minio:9000")\n',
    "DATABASES-HOST": 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "db"}}\n',
    "DATABASES-PORT": 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "PORT": 5433}}\n',
    "DATABASES-USER": 'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "USER": "shop"}}\n',
    "CACHES-LOCATION": 'CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "cache:6379"}}\n',
    "_host": 'DB_HOST = "db"\n',
    "_port": "MAIL_PORT = 2525\n",
    "_server": 'MAIL_SERVER = "mailhog"\n',
    "_user": 'DB_USER = "shop"\n',
    "_addr": 'MEMCACHED_ADDR = "memcached"\n',
    "_endpoint": 'MINIO_ENDPOINT = "minio:9000"\n',
}


@pytest.mark.parametrize("source", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_each_client_passes_the_prefilter_on_its_own(project, source: str) -> None:
    root = project({"shop/services.py": source})
    result = api.check([root], select=["FS0402"])
    assert result.errors == []
    assert [finding.location.row for finding in result.findings] == [source.count("\n")]
