"""Files a person uploads, from the Data page.

- :mod:`.check`: check an upload exactly as the data folder's loaders do (rows read =
  accepted + rejected, every rejected row with its reasons), and where it would go.
- :mod:`.save`: plan and write an upload into the data folder atomically, never
  replacing a different file unless asked to.
- :mod:`.overlay`: a session overlay, the data folder's files plus the uploads in a
  temporary folder, so the dashboard loads "the folder plus these files" untouched.
- :mod:`.batch`: what the Data page does with a batch of uploads: keep them for the
  session or save them, and the sentences it says about each.

Where uploads go: police.uk files to ``incidents/uploads/<safe name>``, the folder's
own CSVs (``resourcing.csv`` ...) to their fixed names. No streamlit here.
"""
