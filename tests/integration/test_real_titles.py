"""What admins really write in ``products``, through ansible-playbook against the emulator: titles WSUS
publishes twice, lower-case titles, WSUS's own title for Windows Server 2022, and the marketing name
that WSUS does not use."""

from __future__ import annotations

from support.operations import WRITES
from support.playbook import connection_defaults, play, run_playbook

WS2019 = {"f702a48c-919b-45d6-9aef-ca4248d50397", "6e56e6da-f22f-47c9-97b4-510153a06740"}
WS2016 = {"569e8e8f-c6cd-42c8-92a3-efbb20a0f6f5", "e26d4a30-aba6-4616-a890-011970d93636"}
WS2022 = "71718f13-7324-4b0f-8f9e-2ca9dc978e53"
DOCUMENT = {"products": ["Windows Server 2019", "windows server 2016", "Microsoft Server operating system-21H2"]}


def apply(server, collections_path, document, check=False):
    task = {"name": "apply", "ops.wsus.sync_options": document}
    run = run_playbook(
        [play([task], connection_defaults(server))],
        collections_path,
        extra_args=["--diff"] + (["--check"] if check else []),
    )
    return run


def test_duplicated_titles_apply_then_no_op_and_check_mode_predicted_it(fresh_emulator, collections_path):
    predicted = apply(fresh_emulator, collections_path, DOCUMENT, check=True)
    assert predicted.rc == 0, predicted.stdout[-3000:]
    assert not WRITES & set(fresh_emulator.operations())
    assert fresh_emulator.state()["categories"] == []

    first = apply(fresh_emulator, collections_path, DOCUMENT)
    assert first.rc == 0, first.stdout[-3000:]
    result = first.result("apply")
    assert result["changed"] is True
    assert result["changes"] == predicted.result("apply")["changes"]
    assert result["diff"] == predicted.result("apply")["diff"]
    assert result["changes"] == [
        "products: +Microsoft Server operating system-21H2, "
        "+Windows Server 2016 (2 categories), +Windows Server 2019 (2 categories)"
    ]
    assert set(fresh_emulator.state()["categories"]) == WS2019 | WS2016 | {WS2022}

    fresh_emulator.clear_requests()
    second = apply(fresh_emulator, collections_path, DOCUMENT)
    assert second.rc == 0 and second.result("apply")["changed"] is False
    assert not WRITES & set(fresh_emulator.operations())


def test_adopting_a_partial_duplicate_selection_round_trips(fresh_emulator, collections_path):
    one_of_two = sorted(WS2019)[0]
    assert apply(fresh_emulator, collections_path, {"products": ["Windows Server 2016", {"id": one_of_two}]}).rc == 0
    read = run_playbook(
        [play([{"name": "info", "ops.wsus.server_info": {}}], connection_defaults(fresh_emulator))], collections_path
    )
    adopted = read.result("info")["sync_options"]["products"]
    assert sorted(adopted, key=str) == sorted(["Windows Server 2016", {"id": one_of_two}], key=str)
    again = apply(fresh_emulator, collections_path, {"products": adopted})
    assert again.rc == 0 and again.result("apply")["changed"] is False


def test_a_marketing_name_fails_before_any_write_naming_the_wsus_title(fresh_emulator, collections_path):
    run = apply(fresh_emulator, collections_path, {"products": ["Windows Server 2022"]})
    assert run.rc != 0
    message = run.result("apply")["msg"]
    assert (
        "no product matches 'Windows Server 2022'; WSUS calls Windows Server 2022 "
        "'Microsoft Server operating system-21H2'" in message
    )
    assert not WRITES & set(fresh_emulator.operations())
    assert fresh_emulator.state()["categories"] == []
