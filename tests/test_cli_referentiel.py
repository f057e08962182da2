"""``cc-analytics referentiel …``: what a user types and what they see."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys

import pytest

from cc_analytics.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_default_tree(capsys):
    code, out, _ = run(capsys, "referentiel", "show")
    assert code == 0
    assert out.startswith("Chargé.e de clientèle\n")
    assert "3 blocs, 6 activités, 20 compétences" in out
    assert "B2  (intitulé absent de la source)" in out
    assert "    B3A3C4  Assurer la bonne exécution" in out
    assert "Lacunes de la source" in out


def test_show_csv_for_scripts(capsys):
    code, out, _ = run(capsys, "referentiel", "show", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["block", "activity", "competency", "label"]
    assert len(rows) == 20
    assert rows[15] == {
        "block": "B3",
        "activity": "B3A2",
        "competency": "B3A2C4",
        "label": "Finaliser les éléments contractuels de la vente pour atteindre les "
        "objectifs de l'entreprise.",
    }


def test_import_seed_then_check_and_show(capsys, tmp_path, seed_path):
    out_file = tmp_path / "ref.yaml"
    code, out, _ = run(capsys, "referentiel", "import", str(seed_path), "--out", str(out_file))
    assert code == 0
    assert "20 compétences" in out
    code, out, _ = run(capsys, "referentiel", "check", str(out_file))
    assert code == 0
    assert "référentiel cohérent — 3 blocs, 6 activités, 20 compétences" in out
    code, out, _ = run(capsys, "referentiel", "show", str(out_file), "--format", "csv")
    assert out.count("\n") == 21


def test_import_rncp_export_with_fiche(capsys, tmp_path, rncp_path):
    out_file = tmp_path / "rncp.yaml"
    code, out, err = run(
        capsys,
        "referentiel",
        "import",
        str(rncp_path),
        "--fiche",
        "RNCP36612",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    assert "4 blocs" in out
    code, out, _ = run(capsys, "referentiel", "list", str(rncp_path))
    assert code == 0
    assert out.startswith("RNCP36612\t4 blocs")


def _bad_inputs(tmp_path, rncp_path):
    html = tmp_path / "page.xml"
    html.write_text("<html><body/></html>", encoding="utf-8")
    pdf = tmp_path / "referentiel.pdf"
    pdf.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    dup = tmp_path / "double.yaml"
    dup.write_text(
        "title: T\nscale: [{value: 0, label: a}, {value: 1, label: b}, {value: 2, label: c},"
        " {value: 3, label: d}, {value: 4, label: e}]\nblocks:\n  - code: B1\n    label: B\n"
        "    activities:\n      - code: B1A1\n        label: A\n        competencies:\n"
        "          - {code: B1A1C1, label: x}\n          - {code: B1A1C1, label: y}\n",
        encoding="utf-8",
    )
    orphan = tmp_path / "orpheline.yaml"
    orphan.write_text(
        dup.read_text(encoding="utf-8").replace(
            "{code: B1A1C1, label: y}", "{code: B1A2C1, label: y}"
        )
        + "    competencies:\n      - {code: B1A3C1, label: z, activity: B1A3}\n",
        encoding="utf-8",
    )
    return [
        (
            ["referentiel", "import", str(tmp_path / "absent.txt")],
            "absent.txt : fichier introuvable",
        ),
        (["referentiel", "import", str(pdf)], "referentiel.pdf : format de référentiel inconnu"),
        (
            ["referentiel", "import", str(html)],
            "page.xml : ce fichier XML n'est pas un export RNCP",
        ),
        (["referentiel", "import", str(rncp_path), "--fiche", "RNCP99999"], "RNCP99999"),
        (["referentiel", "import", str(dup)], "ligne 11 : code de compétence en double"),
        (["referentiel", "import", str(orphan)], "B1A3C1 renvoie à l'activité inexistante B1A3"),
    ]


def test_bad_inputs_give_one_clear_message_and_write_nothing(capsys, tmp_path, rncp_path):
    for argv, expected in _bad_inputs(tmp_path, rncp_path):
        out_file = tmp_path / "sortie.yaml"
        code, _, err = run(capsys, *argv, "--out", str(out_file))
        assert code == 1, argv
        assert expected in err, (argv, err)
        assert err.startswith("Erreur : ")
        assert "Traceback" not in err
        assert not out_file.exists()
        assert not list(tmp_path.glob(".sortie.yaml*"))  # no temporary leftovers


def test_check_fails_on_broken_file(capsys, tmp_path, rncp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nblocks: []\n", encoding="utf-8")
    code, _, err = run(capsys, "referentiel", "check", str(bad))
    assert code == 1
    assert "aucune compétence" in err
    assert "échelle doit couvrir" in err  # every problem at once


def test_list_on_a_non_export(capsys, seed_path):
    code, _, err = run(capsys, "referentiel", "list", str(seed_path))
    assert code == 1
    assert "pas un export RNCP" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["referentiel", "import", "x.txt"])  # --out missing
    assert info.value.code == 2
    assert "erreur d'utilisation" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = shutil.which("cc-analytics") or str(
        __import__("pathlib").Path(sys.executable).with_name("cc-analytics")
    )
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("cc-analytics ")
