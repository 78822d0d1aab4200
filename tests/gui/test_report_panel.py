"""The Report tab, driven through its real widgets: draft, edit the prose, export, read the files."""

import re

from tests.gui.helpers import TRAIN_TIMEOUT_MS, click


def test_prose_edits_in_the_panel_reach_every_exported_file(qtbot, evaluated_run, tmp_path):
    from studio.gui.report.panel import ReportPanel
    from studio.gui.tasks import ThreadHost

    host = ThreadHost()
    panel = ReportPanel(host)
    qtbot.addWidget(panel, before_close_func=lambda _: host.shutdown())
    panel.show()
    assert not panel.export_button.isEnabled()
    panel.set_run(evaluated_run[0], training=False)
    with qtbot.waitSignal(panel.drafted, timeout=TRAIN_TIMEOUT_MS):
        click(qtbot, panel.draft_button)
    assert "Summary" in panel.preview.toPlainText()
    assert panel.sections.count() == 11

    panel.sections.setCurrentRow(0)
    panel.prose_editor.setFocus()
    panel.prose_editor.selectAll()
    qtbot.keyClicks(panel.prose_editor, "Shapes look right; ship it <b>now</b>.")
    assert panel.report().section("summary").prose == "Shapes look right; ship it <b>now</b>."
    qtbot.waitUntil(lambda: "ship it" in panel.preview.toPlainText(), timeout=TRAIN_TIMEOUT_MS)
    panel.format_boxes["pdf"].setChecked(False)
    with qtbot.waitSignal(panel.exported, timeout=TRAIN_TIMEOUT_MS):
        panel.export_to(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Shapes look right; ship it &lt;b&gt;now&lt;/b&gt;." in html
    assert re.search(r"Shapes look right; ship it &lt;b&gt;now&lt;/b&gt;\.", (tmp_path / "out" / "report.md").read_text())
    assert not (tmp_path / "out" / "report.pdf").exists()
    assert "ship it" in (evaluated_run[0] / "report" / "edits.json").read_text()
