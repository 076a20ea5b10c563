"""Runs one invocation of a Python Lambda handler the way Lambda's Python runtime does.

Started by test/shipped/runtimes.ts as:
    python3 lambda_python_runtime.py <task dir> <file.function> [<extracted layer dir> <empty dir>]
with the event as JSON on stdin. The handler's module is imported from the task folder (its own
empty folder, as /var/task) and called with the event and a context object; boto3 comes from this
interpreter, as the runtime provides it.

A layer is mounted as Lambda mounts it: its contents at /opt. Scripts in layers are written for the
runtime's own interpreter (the AwsCliLayer's `aws` starts with `#!/var/lang/bin/python`), which
exists only in Lambda. So, in a private mount namespace of this process only (root needed), the layer
folder is bound onto /opt and /var gets an overlay whose only addition is var/lang/bin/python, a link
to this interpreter. Nothing outside this process sees either.
"""

import ctypes
import json
import os
import sys
import time
import uuid

CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)} (mounting a layer needs root)")


def mount_layer(layer_dir, scratch):
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    _check(_libc.mount(layer_dir.encode(), b"/opt", None, MS_BIND | MS_REC, None), "bind the layer on /opt")
    # The overlay's upper and work folders must be on a file system that supports it: a tmpfs.
    _check(_libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", 0, None), "tmpfs for /var's overlay")
    os.makedirs(os.path.join(scratch, "upper", "lang", "bin"))
    os.makedirs(os.path.join(scratch, "work"))
    os.symlink(sys.executable, os.path.join(scratch, "upper", "lang", "bin", "python"))
    options = f"lowerdir=/var,upperdir={scratch}/upper,workdir={scratch}/work"
    _check(_libc.mount(b"overlay", b"/var", b"overlay", 0, options.encode()), "overlay /var/lang/bin/python")


class LambdaContext:
    def __init__(self, function_name, timeout_ms):
        self._deadline = time.time() * 1000 + timeout_ms
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = "256"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "shipped"

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))


def main():
    task_dir, handler = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        mount_layer(sys.argv[3], sys.argv[4])
    event = json.load(sys.stdin)
    os.chdir(task_dir)
    sys.path.insert(0, task_dir)
    module_name, function_name = handler.rsplit(".", 1)
    module = __import__(module_name)
    context = LambdaContext(os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function"), 900_000)
    result = getattr(module, function_name)(event, context)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
