"""DynamoDB access, one class per aggregate; botocore errors become domain errors here."""
