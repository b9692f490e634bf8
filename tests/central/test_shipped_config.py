"""deploy/central/rabbitmq.conf and enabled_plugins boot RabbitMQ 3.10 as shipped (only the
host-specific values replaced: paths, ports on 127.0.0.1, the node list), and a terminal logs
in over MQTT/TLS by its certificate's CN. An unknown or misspelt key stops the node at boot."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from central.collector import Collector
from config.models import BrokerConfig, CollectorConfig
from tests.central.helpers import ADMIN, password_of, terminal_user
from tests.central.rabbit import COLLECTOR_USER, REPO, RabbitNode
from tests.certs import make_pki
from tests.collector.records import make
from tests.peers import free_port

pytestmark = [pytest.mark.peer, pytest.mark.slow]
SHIPPED = REPO / "deploy" / "central"


def _adapt(conf: str, node: RabbitNode, pki: dict[str, Path], amqps: int) -> str:
    mgmt = free_port()
    subs = {
        r"(?m)^listeners\.ssl\.default = .*$": f"listeners.ssl.default = 127.0.0.1:{amqps}",
        r"(?m)^mqtt\.listeners\.ssl\.default = .*$": (
            f"mqtt.listeners.ssl.default = 127.0.0.1:{node.mqtts_port}"
        ),
        r"(?m)^ssl_options\.cacertfile = .*$": f"ssl_options.cacertfile = {pki['ca']}",
        r"(?m)^ssl_options\.certfile = .*$": f"ssl_options.certfile = {pki['cert']}",
        r"(?m)^ssl_options\.keyfile = .*$": f"ssl_options.keyfile = {pki['key']}",
        r"(?m)^definitions\.local\.path = .*$": "definitions.local.path = @DEFINITIONS@",
        r"(?m)^management\.tcp\.port = .*$": f"management.tcp.port = {mgmt}",
        r"(?m)^cluster_formation\.classic_config\.nodes\.\d+ = .*$": "",
    }
    for pattern, value in subs.items():
        conf, n = re.subn(pattern, value, conf)
        assert n, f"the shipped rabbitmq.conf has no line matching {pattern}"
    return conf + f"cluster_formation.classic_config.nodes.1 = {node.name}\n"


def test_the_shipped_config_boots_and_a_terminal_logs_in_by_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = terminal_user("t1")
    pki = make_pki(tmp_path / "pki", {f"{user}_": user}, server_cn="localhost")
    plugins = (SHIPPED / "enabled_plugins").read_text().strip().removeprefix("[").rstrip("].")
    node = RabbitNode(
        tmp_path / "node",
        {COLLECTOR_USER: password_of(COLLECTOR_USER), user: "unused"},
        (ADMIN, password_of(ADMIN)),
        tls=pki,
        plugins=plugins,
        conf="",  # replaced below, once the node's ports are known
    )
    amqps = free_port()
    node.conf = _adapt((SHIPPED / "rabbitmq.conf").read_text(), node, pki, amqps)
    node._write_files()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id="t1", protocol=MQTTProtocolVersion.MQTTv311
    )
    client.tls_set(
        ca_certs=str(pki["ca"]),
        certfile=str(pki[f"{user}_cert"]),
        keyfile=str(pki[f"{user}_key"]),
    )
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc, p: None if rc.is_failure else connected.set()
    try:
        node.start()
        client.connect("127.0.0.1", node.mqtts_port)
        client.loop_start()
        assert connected.wait(10), "the certificate login failed: " + node.log_tail()[-800:]
        info = client.publish("imdms/v1/MSU-BRIDGE/t1/crossing", json.dumps(make()).encode(), 1)
        info.wait_for_publish(10)
        assert info.is_published()
        # the collector over AMQPS (TLS only: the shipped config has no plain listener), the
        # national CA given in the URL's ssl_options; its password from the credential
        (tmp_path / "amqp-password").write_text(password_of(COLLECTOR_USER))
        monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
        url = (
            f"amqps://{COLLECTOR_USER}@localhost:{amqps}/imdms"
            f"?ssl_options={{'ca_certs':'{pki['ca']}','server_hostname':'localhost'}}"
        )
        ccfg = CollectorConfig.model_validate(
            {"database": str(tmp_path / "c.sqlite3"), "source": "amqp", "amqp_url": url}
        )
        collector = Collector(BrokerConfig(), ccfg)
        collector.start()
        try:
            assert collector.wait_for(lambda c: c["stored"] == 1, 20), dict(collector.counts)
        finally:
            collector.stop()
    finally:
        client.disconnect()
        client.loop_stop()
        node.stop()
