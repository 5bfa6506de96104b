import { beforeAll, describe, expect, test } from 'vitest';
import {
  farequoteJob, jobs, openJob, setUpTable, uniqueJobId, uploads,
} from '../s3/fixture.js';

beforeAll(setUpTable);

const presign = (jobId: string, body: unknown) =>
  uploads.presignUpload(jobId, body) as Promise<{ key: string; url: string }>;

const parseFailure = (message: string) => ({
  status: 400, type: 'x_content_parse_exception', message,
});

describe('a presigned upload URL', () => {
  test('is given for an open job under the file name asked for', async () => {
    const jobId = uniqueJobId('presign');
    await openJob(jobId);

    const answer = await presign(jobId, { file_name: 'day1.ndjson' });

    expect(answer.key).toBe(`jobs/${jobId}/day1.ndjson`);
    expect(answer.url).toContain(`/jobs/${jobId}/day1.ndjson?`);
  });

  test('is refused for a job that is not open, with post data\'s 409',
    async () => {
      const jobId = uniqueJobId('closed');
      await jobs.putJob(jobId, farequoteJob());

      // The reason of spec 11.1 for a job that is not open.
      await expect(presign(jobId, { file_name: 'day1.ndjson' }))
        .rejects.toMatchObject({ status: 409, type: 'status_exception',
          message: `Cannot perform requested action because job [${jobId}] `
            + 'is not open' });
    });

  test('is refused for a file name with a lone surrogate', async () => {
    const jobId = uniqueJobId('surrogate');
    await openJob(jobId);

    // JSON.parse('{"file_name":"\\ud800x"}') holds an unpaired surrogate.
    const body = JSON.parse('{"file_name":"\\ud800x"}');

    await expect(presign(jobId, body)).rejects.toMatchObject({
      status: 400, type: 'illegal_argument_exception',
      message: 'Invalid file_name [\ud800x]: it must not contain a lone '
        + 'surrogate',
    });
  });

  test('accepts a name outside the Basic Multilingual Plane', async () => {
    const jobId = uniqueJobId('astral');
    await openJob(jobId);

    // U+1F600 is a surrogate pair in UTF-16, four bytes in UTF-8.
    const answer = await presign(jobId, { file_name: '\u{1F600}.ndjson' });

    expect(answer.key).toBe(`jobs/${jobId}/\u{1F600}.ndjson`);
  });

  test('refuses a request body that is not { file_name }', async () => {
    const jobId = uniqueJobId('body');
    await openJob(jobId);

    await expect(presign(jobId, ['x'])).rejects.toMatchObject(
      parseFailure('[upload_request] expected an object'));
    await expect(presign(jobId, { name: 'x' })).rejects.toMatchObject(
      parseFailure('[upload_request] unknown field [name]'));
    await expect(presign(jobId, { file_name: 3 })).rejects.toMatchObject(
      parseFailure('[upload_request] file_name doesn\'t support values of '
        + 'type: VALUE_NUMBER'));
  });
});
