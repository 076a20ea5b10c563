/** A transfer metadata file that cannot be read as Archivematica documents it: names the file, the line and the reason. */
export class TransferMetadataError extends Error {
  override name = "TransferMetadataError";
}
