// Runs s3rver in its own process: s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES,
// which Node 17+ (OpenSSL 3) only allows with --openssl-legacy-provider — given to this process alone.
// argv: <directory> <bucket>...; prints {"port": N} once listening; exits when stdin closes.
const S3rver = require("s3rver");

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  ({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (error) => {
    process.stderr.write(`s3rver failed to start: ${error}\n`);
    process.exit(1);
  },
);
process.stdin.resume();
process.stdin.on("end", () => server.close().finally(() => process.exit(0)));
