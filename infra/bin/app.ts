import { App } from "aws-cdk-lib";
import { StageConfigError } from "../config/index.ts";
import { addDeliveryStack } from "../stacks/delivery-stack.ts";
import { addStepmaticaStacks } from "../stacks/stepmatica-app.ts";

// cdk synth --all            -> StepmaticaStaging, StepmaticaProduction and StepmaticaDelivery
// cdk deploy -c env=staging  -> StepmaticaStaging only
const app = new App();
try {
  addStepmaticaStacks(app);
  addDeliveryStack(app); // cdk synth --all: the pipeline that deploys both
} catch (error) {
  if (error instanceof StageConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
app.synth();
