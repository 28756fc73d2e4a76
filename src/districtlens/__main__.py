from districtlens.cli import app

app()
