"""orderctl: the operators' command-line tool for the BBWS Order service.

Works against the local stack (`make run`) by default and against any deployed stage with
`--base-url`. A development and operations tool: it is never packaged into the Lambda functions.
"""
