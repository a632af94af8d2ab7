/** Model sources in S3 and S3-compatible stores: parsing, SigV4 signing and the metadata lookup. */
package io.zeroscale.gateway.model.s3;
