import { App } from "aws-cdk-lib";
import { StageConfigError } from "../config/index.ts";
import { addStepmaticaStacks } from "../stacks/stepmatica-app.ts";

// cdk synth --all            -> StepmaticaStaging and StepmaticaProduction
// cdk deploy -c env=staging  -> StepmaticaStaging only
const app = new App();
try {
  addStepmaticaStacks(app);
} catch (error) {
  if (error instanceof StageConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
app.synth();
