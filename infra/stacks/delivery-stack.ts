import { type App, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { DeliveryPipeline } from "../constructs/delivery/index.ts";

export const DELIVERY_STACK_NAME = "StepmaticaDelivery";

/** The delivery pipeline in a stack of its own: deployed once, it deploys the two environments. */
export class DeliveryStack extends Stack {
  readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.delivery = new DeliveryPipeline(this, "Delivery");
  }
}

/** Added by `cdk synth --all` (no `-c env=`): `npx cdk deploy StepmaticaDelivery --parameters …`. */
export function addDeliveryStack(app: App): DeliveryStack | undefined {
  if (app.node.tryGetContext("env") !== undefined) return undefined;
  const stack = new DeliveryStack(app, DELIVERY_STACK_NAME, {
    stackName: DELIVERY_STACK_NAME,
    description: "stepmatica delivery: staging -> smoke check -> approval -> production",
  });
  return stack;
}
