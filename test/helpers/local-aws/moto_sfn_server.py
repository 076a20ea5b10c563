"""moto's server (moto 5.2.1) with three patches to its Step Functions interpreter.

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

The test suite checks each behaviour (test/contract/engines/*), so a moto upgrade that changes any of
this shows up there.
"""

import copy
import sys

from moto.server import main
from moto.stepfunctions.models import StateMachine
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

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
