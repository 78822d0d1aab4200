"""The training form offers presets that fill the model and training fields."""

from PySide6.QtCore import Qt

from studio.core.training.presets import PRESETS


def test_choosing_a_preset_fills_the_form_and_keeps_train_enabled(window, qtbot):
    panel = window.training_panel
    box = panel.preset_box
    index = box.findData("quality-gpu")
    box.setCurrentIndex(index)
    box.activated.emit(index)
    assert panel.model_form.editor("name").currentData() == "sngan"
    assert panel.train_form.editor("loss").currentData() == "hinge"
    assert panel.train_form.editor("batch_size").text() == str(PRESETS["quality-gpu"].train["batch_size"])
    assert box.itemData(index, Qt.ItemDataRole.ToolTipRole) == PRESETS["quality-gpu"].description
    qtbot.waitUntil(panel.train_button.isEnabled)
    assert window.current_config().model.name == "sngan"


def test_choosing_the_vae_names_its_losses(window):
    panel = window.training_panel
    model = panel.model_form.editor("name")
    model.setCurrentIndex(model.findData("vae"))
    legend = window.curves_panel.loss_plot.getPlotItem().legend
    assert legend.getLabel(window.curves_panel._curves["g_loss"]).text == "Reconstruction"
    assert "a VAE has none" in window.curves_panel.score_plot.getPlotItem().titleLabel.text
    model.setCurrentIndex(model.findData("dcgan"))
    assert legend.getLabel(window.curves_panel._curves["d_loss"]).text == "D loss"
