import { SCRATCH_PATH } from "./interfaces.ts";

/**
 * Formats (once) and mounts the host's EBS scratch volume. Attached as /dev/sdb; on Nitro hosts it
 * appears as an NVMe device that Amazon Linux 2023 links back to /dev/sdb.
 */
export function scratchMountCommands(): string[] {
  return [
    "set -eu",
    "for attempt in $(seq 1 60); do [ -e /dev/sdb ] && break; sleep 2; done",
    "blkid /dev/sdb || mkfs -t xfs /dev/sdb",
    `mkdir -p ${SCRATCH_PATH}`,
    `grep -q ' ${SCRATCH_PATH} ' /proc/mounts || mount /dev/sdb ${SCRATCH_PATH}`,
    `grep -q '^/dev/sdb ' /etc/fstab || echo '/dev/sdb ${SCRATCH_PATH} xfs defaults,nofail 0 2' >> /etc/fstab`,
    `chmod 1777 ${SCRATCH_PATH}`,
  ];
}
