"""Preview: ``python -m studio.gui.about`` opens the About dialog alone (with the device it resolves to)."""

import sys

from studio.core.training.jobs import describe_device_named
from studio.gui.about.dialog import AboutDialog
from studio.gui.application import create_application

app = create_application(sys.argv)
dialog = AboutDialog(describe_device_named("auto"))
dialog.show()
app.exec()
