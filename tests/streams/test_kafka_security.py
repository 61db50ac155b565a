"""SASL/SSL settings reach both Kafka clients: faust (the worker) and aiokafka (API, tools)."""

from __future__ import annotations

import ssl
from typing import Any

import certifi
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import SecretStr

from streams.app import faust_options
from streams.kafka import aiokafka_options, faust_credentials
from streams.settings import Settings

PASSWORD = "pw-5d1c9e0a7f3b"


def secured(**overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "broker": "kafka://kafka-1.example.com:9093;kafka-2.example.com:9093",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "signals",
        "sasl_password": SecretStr(PASSWORD),
        "ssl_cafile": certifi.where(),
    }
    fields.update(overrides)
    return Settings(**fields)


AUTH_KEYS = ("security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password")


@pytest.mark.parametrize(
    ("overrides", "protocol"),
    [
        ({}, "SASL_SSL"),
        ({"sasl_mechanism": "SCRAM-SHA-256"}, "SASL_SSL"),
        ({"security_protocol": "SASL_PLAINTEXT", "ssl_cafile": None}, "SASL_PLAINTEXT"),
        (
            {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN", "ssl_cafile": None},
            "SASL_PLAINTEXT",
        ),
        # a SASL protocol with no mechanism configured means PLAIN, for both clients
        ({"sasl_mechanism": None}, "SASL_SSL"),
    ],
)
def test_sasl_settings_are_the_same_for_faust_and_aiokafka(
    overrides: dict[str, Any], protocol: str
) -> None:
    settings = secured(**overrides)
    direct = aiokafka_options(settings)
    assert direct["bootstrap_servers"] == "kafka-1.example.com:9093,kafka-2.example.com:9093"
    assert direct["security_protocol"] == protocol
    assert direct["sasl_plain_password"] == PASSWORD
    # what faust's aiokafka driver derives from the credentials create_app passes it
    via_faust = credentials_to_aiokafka_auth(faust_options(settings)["broker_credentials"])
    assert {k: via_faust[k] for k in AUTH_KEYS} == {k: direct[k] for k in AUTH_KEYS}
    if protocol == "SASL_SSL":
        assert isinstance(direct["ssl_context"], ssl.SSLContext)
        assert isinstance(via_faust["ssl_context"], ssl.SSLContext)
        assert direct["ssl_context"].verify_mode == ssl.CERT_REQUIRED
        assert direct["ssl_context"].check_hostname
    else:
        assert direct.get("ssl_context") is None
        assert via_faust["ssl_context"] is None


def test_ssl_without_sasl() -> None:
    settings = secured(
        security_protocol="SSL", sasl_mechanism=None, sasl_username=None, sasl_password=None
    )
    direct = aiokafka_options(settings)
    via_faust = credentials_to_aiokafka_auth(faust_credentials(settings))
    assert direct["security_protocol"] == via_faust["security_protocol"] == "SSL"
    assert isinstance(direct["ssl_context"], ssl.SSLContext)
    assert isinstance(via_faust["ssl_context"], ssl.SSLContext)
    assert "sasl_plain_password" not in direct


def test_plaintext_passes_no_credentials() -> None:
    settings = Settings(broker="kafka://127.0.0.1:9092")
    assert faust_credentials(settings) is None
    assert credentials_to_aiokafka_auth(None)["security_protocol"] == "PLAINTEXT"
    assert aiokafka_options(settings)["security_protocol"] == "PLAINTEXT"


async def test_aiokafka_clients_accept_the_options() -> None:
    # constructing validates every keyword (no connection is made before start())
    options = aiokafka_options(secured())
    producer = AIOKafkaProducer(acks="all", **options)
    consumer = AIOKafkaConsumer(group_id=None, **options)
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"
    assert consumer._client._security_protocol == "SASL_SSL"
    await consumer.stop()
    await producer.stop()


def test_the_password_stays_out_of_reprs() -> None:
    settings = secured()
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings.model_dump())
    assert PASSWORD not in repr(faust_credentials(settings))
