"""Business rules: collaborators arrive through constructors; no boto3 or chalice here."""
