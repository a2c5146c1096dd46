// Evaluates IAM requests with @cloud-copilot/iam-simulate (identity policy, permissions
// boundary, resource policy, condition operators, AWS's service reference for actions, resource
// types and condition keys). Read by scripts/iam_proof.py: stdin is a JSON list of
// {id, simulation}; stdout a JSON list of {id, result, allowedBy, errors}.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))

const answers = []
for (const { id, simulation } of cases) {
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    answers.push({ id, result: 'Error', allowedBy: [], errors: response.errors })
    continue
  }
  const analysis = response.result?.analysis ?? {}
  const allowedBy = []
  for (const [where, part] of [
    ['identity', analysis.identityAnalysis],
    ['resource', analysis.resourceAnalysis]
  ]) {
    for (const statement of part?.allowStatements ?? []) {
      allowedBy.push([where, statement.policyId ?? '', statement.explain?.identifier ?? ''])
    }
  }
  answers.push({ id, result: response.overallResult, allowedBy, errors: null })
}
process.stdout.write(JSON.stringify(answers))
