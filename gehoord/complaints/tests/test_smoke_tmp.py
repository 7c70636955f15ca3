from conftest import carol_complaint
from gehoord.complaints import actions

def test_smoke(acme, as_alice, as_manon, alice):
    c = carol_complaint(acme)
    assert c.status == "acknowledged"
    c = actions.assign(c, by=as_manon, handler=alice)
    c = actions.start(c, by=as_alice)
    assert c.status == "investigating"
