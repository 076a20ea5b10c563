import { Aws, Duration } from "aws-cdk-lib";
import { HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy } from "aws-cdk-lib/aws-cloudfront";
import type { Construct } from "constructs";

/**
 * The page's Content-Security-Policy: its own files only (no inline or eval'd script, no framing),
 * and connections to the sign-in domain (token exchange), the HTTP API and S3 (presigned transfer
 * uploads). The API and S3 are named by their regional endpoints, not by id: the API's CORS
 * configuration and the upload bucket's CORS rule name the distribution's origin, so naming them
 * here too would make a dependency cycle (distribution -> policy -> API -> distribution).
 */
export function contentSecurityPolicy(signInUrl: string): string {
  const apiHosts = `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  const s3Hosts = `https://*.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${signInUrl} ${apiHosts} ${s3Hosts}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** The security headers CloudFront adds to every response (overriding whatever the origin sent). */
export function securityHeadersPolicy(
  scope: Construct,
  id: string,
  signInUrl: string,
): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, id, {
    comment: "stepmatica dashboard: strict CSP, HSTS, no referrer, no framing",
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(signInUrl), override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
    },
  });
}
