"""The only writer of result files: result folders, tables, figures, the report and its model
description. Takes Results and configs; never imports the runner or the command line."""
