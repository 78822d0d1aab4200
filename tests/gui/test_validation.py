"""A value an analyst can get wrong is marked where it was typed, and Train says why it waits."""

from tests.gui.helpers import type_into


def test_text_in_the_learning_rate_blocks_train_until_fixed(window, qtbot):
    panel = window.training_panel
    field = panel.train_form.editor("lr_g")
    type_into(qtbot, field, "abc")

    assert not panel.train_button.isEnabled()
    assert not window.training_panel.train_action.isEnabled()
    assert panel.reason_label.isVisible()
    assert panel.reason_label.text() == "Learning rate G must be a number, not 'abc'."
    assert field.property("invalid") is True
    assert field.toolTip() == panel.reason_label.text()

    type_into(qtbot, field, "0.0005")
    assert panel.train_button.isEnabled()
    assert not panel.reason_label.isVisible()
    assert field.property("invalid") is False
    assert window.current_config().train.lr_g == 0.0005


def test_batch_size_zero_is_out_of_range(window, qtbot):
    panel = window.training_panel
    field = panel.train_form.editor("batch_size")
    type_into(qtbot, field, "0")
    assert not panel.train_button.isEnabled()
    assert panel.block_reason() == "Batch size must be at least 2, not 0."
    type_into(qtbot, field, "8")
    assert panel.train_button.isEnabled()


def test_two_problems_show_one_sentence_and_both_fields_turn_red(window, qtbot):
    panel = window.training_panel
    type_into(qtbot, panel.model_form.editor("g_width"), "-1")
    type_into(qtbot, panel.train_form.editor("steps"), "many")
    assert panel.model_form.editor("g_width").property("invalid") is True
    assert panel.train_form.editor("steps").property("invalid") is True
    assert panel.block_reason() == "Generator width must be at least 4, not -1."
    type_into(qtbot, panel.model_form.editor("g_width"), "8")
    type_into(qtbot, panel.train_form.editor("steps"), "30")
    assert panel.train_button.isEnabled()


def test_a_bad_demo_size_blocks_train_and_does_not_reload(window, qtbot):
    form = window.dataset_panel.options_form
    type_into(qtbot, form.editor("demo_images"), "3")
    assert not window.training_panel.train_button.isEnabled()
    assert window.training_panel.block_reason() == "Demo images must be at least 64, not 3."
    type_into(qtbot, form.editor("demo_images"), "128")
    qtbot.waitUntil(window.training_panel.train_button.isEnabled, timeout=30_000)
