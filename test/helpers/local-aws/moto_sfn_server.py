"""moto's server (moto 5.2.1) with seven patches to its Step Functions service.

Started by test/helpers/local-aws/moto-server.ts as: python3 moto_sfn_server.py -H 127.0.0.1 -p 0.
Each patch is needed for the interpreter (moto.stepfunctions.parser, LocalStack's) to behave as the
Step Functions service does where our state machines depend on it; everything else is moto's own.

1. StartExecution deep-copies the state machine to freeze its definition; the copy follows the
   machine's reference to the backend and to its running executions, whose threads hold locks that
   cannot be copied ("cannot pickle '_thread.RLock'"): a second execution on the server fails with a
   500. The copy shares the backend and the execution list instead.
2. Step Functions issues a new task token for every attempt of a waitForTaskToken Task (a Retry makes
   a new TaskScheduled event with a new $$.Task.Token); moto makes one token per state entry and reuses
   it across retries. The patch makes one per attempt.
3. Step Functions documents that States.Runtime is neither retriable nor catchable ("A retry or catch
   on States.ALL won't catch States.Runtime errors"; the execution fails); moto's States.ALL matches
   it. The patch makes no ErrorEquals match States.Runtime.
4. A Fail state whose Error (or ErrorPath) is a States.* name, such as re-raising a caught
   States.Timeout through `ErrorPath: $.error.Error`, fails in moto with a ValueError ("Custom Error
   Names MUST NOT begin with the prefix 'States.'") turned into States.Runtime; Step Functions fails
   the execution with the given error. The patch names the failure with the States.* error.
5. A task token settled before the Lambda Invoke returned (dispatch-job settles a job without tasks
   at once) is lost when the Task has HeartbeatSeconds: moto starts waiting for a heartbeat and never
   looks at the outcome already delivered, so the state times out. Step Functions accepts a token
   from the moment the task is scheduled. The patch takes an outcome already delivered.
6. moto's SendTaskFailure handler drops the request's `cause`; Step Functions hands it to the
   Catch's ResultPath (our record_failure job reads it). The patch passes it on.
7. The `states:startExecution` integration (our transfer machine starts ingest with it) hands the
   state's Parameters (StateMachineArn, Name, Input: the integration's documented PascalCase) to boto
   unchanged, whose Step Functions API members are camelCase: botocore fails with
   KeyError('StateMachineArn') and the state with States.Runtime. The patch renames the request's
   keys for boto and gives the result the integration's PascalCase keys (ExecutionArn, StartDate).

The test suite checks each behaviour (test/contract/engines/*), so a moto upgrade that changes any of
this shows up there.
"""

import copy
import datetime
import sys

from moto.core.responses import EmptyResult
from moto.server import main
from moto.stepfunctions.models import StateMachine
from moto.stepfunctions.responses import StepFunctionResponse
from moto.stepfunctions.parser.asl.component.common.error_name.error_equals_decl import (
    ErrorEqualsDecl,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
    StateTaskService,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.component.state.fail import state_fail


def _copy_machine(self, memo):
    memo[id(self.backend)] = self.backend
    memo[id(self.executions)] = self.executions
    clone = self.__class__.__new__(self.__class__)
    memo[id(self)] = clone
    for key, value in self.__dict__.items():
        setattr(clone, key, copy.deepcopy(value, memo))
    return clone


StateMachine.__deepcopy__ = _copy_machine


def _eval_execution_with_fresh_token(self, env):
    waits_for_token = (
        self._is_integration_pattern()
        and self.resource.condition == ResourceCondition.WaitForTaskToken
    )
    retry_count = env.states.context_object.context_object_data.get("State", {}).get(
        "RetryCount", 0
    )
    if waits_for_token and retry_count > 0:
        token = env.states.context_object.update_task_token()
        env.callback_pool_manager.add(token)
    StateTaskService._eval_execution(self, env)


StateTaskServiceCallback._eval_execution = _eval_execution_with_fresh_token

_STATES_RUNTIME = StatesErrorName(typ=StatesErrorNameType.StatesRuntime)
_match_error = ErrorEqualsDecl._eval_body


def _match_error_except_runtime(self, env):
    if env.stack and env.stack[-1] == _STATES_RUNTIME:
        env.stack.pop()
        env.stack.append(False)
        return
    _match_error(self, env)


ErrorEqualsDecl._eval_body = _match_error_except_runtime

_custom_error_name = state_fail.CustomErrorName


def _fail_error_name(error_name):
    if error_name is not None and error_name.startswith("States."):
        try:
            return StatesErrorName.from_name(error_name)
        except Exception:
            pass
    return _custom_error_name(error_name)


state_fail.CustomErrorName = _fail_error_name

_wait_for_heartbeat = StateTaskServiceCallback._wait_for_task_token_heartbeat


def _wait_unless_settled(self, env, callback_endpoint, heartbeat_endpoint):
    settled = callback_endpoint.get_outcome()
    if settled is not None:
        return settled
    return _wait_for_heartbeat(self, env, callback_endpoint, heartbeat_endpoint)


StateTaskServiceCallback._wait_for_task_token_heartbeat = _wait_unless_settled

def _send_task_failure(self):
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return EmptyResult()


StepFunctionResponse.send_task_failure = _send_task_failure

_sfn_parameters = StateTaskServiceSfn._normalise_parameters


def _sfn_parameters_for_boto(self, parameters, boto_service_name=None, service_action_name=None):
    _sfn_parameters(self, parameters, boto_service_name, service_action_name)
    for key in list(parameters):
        parameters[key[:1].lower() + key[1:]] = parameters.pop(key)


def _sfn_response_as_integration(self, response, boto_service_name=None, service_action_name=None):
    if isinstance(response, dict):
        for key in list(response):
            value = response.pop(key)
            if isinstance(value, datetime.datetime):
                value = value.isoformat()
            response[key[:1].upper() + key[1:]] = value


StateTaskServiceSfn._normalise_parameters = _sfn_parameters_for_boto
StateTaskServiceSfn._normalise_response = _sfn_response_as_integration

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
