"""The per-client log-in limit behind a reverse proxy: whose address counts."""

from ui.routes import client_address

PROXIES = frozenset({"10.0.0.5", "10.0.0.6"})


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_sends():
    assert client_address("203.0.113.9", "198.51.100.1", frozenset()) == "203.0.113.9"
    assert client_address(None, "198.51.100.1", PROXIES) is None


def test_behind_a_trusted_proxy_the_forwarded_address_counts():
    assert client_address("10.0.0.5", "198.51.100.1", PROXIES) == "198.51.100.1"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself():
    """The client wrote the left-hand entries; the proxy appended the real one."""
    forged = "1.2.3.4, 5.6.7.8, 198.51.100.1"
    assert client_address("10.0.0.5", forged, PROXIES) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert client_address("10.0.0.6", "198.51.100.1, 10.0.0.5", PROXIES) == "198.51.100.1"


def test_a_peer_that_is_not_a_trusted_proxy_is_not_believed():
    assert client_address("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_a_trusted_proxy_without_a_forwarded_address_is_the_client():
    assert client_address("10.0.0.5", "", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "10.0.0.6", PROXIES) == "10.0.0.5"


def test_a_proxy_on_the_same_host_is_trusted_when_a_local_address_is():
    """Streamlit reports no address for a peer on this computer."""
    assert client_address(None, "198.51.100.1", frozenset({"127.0.0.1"})) == "198.51.100.1"
    assert client_address(None, "198.51.100.1", frozenset()) is None
