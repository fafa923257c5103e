from tests.factories import valid_fields


def test_a_patient_can_create_list_read_change_and_delete_a_check_in(patient):
    created = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"))
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["pain"] == 4 and entry["version"] == 1 and entry["deleted"] is False

    listed = patient.get("/api/v1/diary-entries").json()
    assert [item["id"] for item in listed["items"]] == [entry["id"]]

    changed = patient.patch(f"/api/v1/diary-entries/{entry['id']}", json={"mood": 7})
    assert changed.status_code == 200, changed.text
    assert changed.json()["mood"] == 7 and changed.json()["version"] == 2

    assert patient.delete(f"/api/v1/diary-entries/{entry['id']}").status_code == 204
    assert patient.get(f"/api/v1/diary-entries/{entry['id']}").status_code == 404
