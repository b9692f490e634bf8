"""Clear errors from the AMQP transport: what went wrong, what to do, never the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.amqp_source import AmqpSource, safe_url, split_urls, topic_of, url_with_password
from central.collector import Collector
from config.models import BrokerConfig, CollectorConfig
from imdms.errors import ConfigError, ImdmsError
from tests.central.helpers import admin_url
from tests.central.rabbit import RabbitNode


def test_routing_keys_become_mqtt_topics() -> None:
    assert topic_of("imdms.v1.MSU-BRIDGE.t1.crossing") == "imdms/v1/MSU-BRIDGE/t1/crossing"
    assert topic_of("a/b.c") == "a.b/c"  # the MQTT plugin swaps the two


def test_password_goes_into_the_url_but_never_into_what_is_shown() -> None:
    url = url_with_password("amqps://imdms-collector@central1:5671/imdms", "p@ss/word")
    assert url == "amqps://imdms-collector:p%40ss%2Fword@central1:5671/imdms"
    assert url_with_password("amqp://u:given@h/v", "other") == "amqp://u:given@h/v"
    assert safe_url(url) == "central1:5671/imdms"


def test_a_url_that_is_not_amqp_is_a_config_error(tmp_path: Path) -> None:
    ccfg = CollectorConfig.model_validate(
        {"database": str(tmp_path / "c.sqlite3"), "source": "amqp", "amqp_url": "mqtt://x"}
    )
    with pytest.raises(ConfigError, match="amqp_url"):
        Collector(BrokerConfig(), ccfg).start()


@pytest.mark.peer
def test_a_missing_queue_and_a_wrong_password_are_clear(rabbit: RabbitNode) -> None:
    # the collector's user may read only the shipped queues (ACCESS_REFUSED for any other):
    # the admin shows what a node without the definitions answers
    src = AmqpSource(admin_url(rabbit), lambda *a: None, queues=("imdms.nope",))
    with pytest.raises(ImdmsError) as missing:
        src.start(3)
    assert "NOT_FOUND" in missing.value.message and "definitions" in (missing.value.hint or "")
    wrong = AmqpSource(rabbit.amqp_url(password="not-it"), lambda *a: None)
    with pytest.raises(ImdmsError) as refused:
        wrong.start(3)
    assert "ACCESS_REFUSED" in refused.value.message
    assert "not-it" not in refused.value.message + (refused.value.hint or "")


def test_a_cluster_url_list_gets_the_password_in_each() -> None:
    url = url_with_password("amqp://c@n1:1/imdms, amqp://c@n2:2/imdms", "pw")
    assert url == "amqp://c:pw@n1:1/imdms,amqp://c:pw@n2:2/imdms"
    src = AmqpSource(url, lambda *a: None)
    assert src.where == "n1:1/imdms, n2:2/imdms"


def test_a_comma_inside_a_url_does_not_split_it() -> None:
    url = "amqps://c@n1/imdms?ssl_options={'ca_certs':'/ca.pem','server_hostname':'n1'}"
    assert split_urls(f"{url}, amqp://c@n2/imdms") == [url, "amqp://c@n2/imdms"]
