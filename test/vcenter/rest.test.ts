import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { vcLab, type VcLab } from './helpers.ts';

// Shapes here are written from VMware's vSphere Automation API reference (older /rest and newer /api
// forms) and govmomi's vapi/rest client, not from bpsim's own code; govmomi's tags manager itself
// runs against this server in test/clients/govmomi.test.ts.
let env: VcLab;
beforeAll(async () => {
  env = await vcLab();
});
afterAll(async () => {
  await env?.stop();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(method: string, path: string, opts: { session?: string; auth?: string; body?: unknown; cookie?: string } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.session) headers['vmware-api-session-id'] = opts.session;
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await env.http.request({ host: 'vcenter.lab.test', method, path, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const login = () => {
  const c = env.lab.credentials.vcenter!;
  return basic(c.user, c.password);
};

describe('vSphere Automation REST: sessions', () => {
  test('older /rest: basic auth -> {"value": id} and cookie; ~action=get; DELETE ends it', async () => {
    const created = await call('POST', '/rest/com/vmware/cis/session', { auth: login() });
    expect(created.status).toBe(200);
    const id = created.body.value as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(String(created.headers['set-cookie'])).toContain(`vmware-api-session-id=${id}`);

    for (const method of ['GET', 'POST']) {
      const info = await call(method, '/rest/com/vmware/cis/session?~action=get', { session: id });
      expect(info.status).toBe(200);
      expect(info.body.value.user).toBe(env.lab.credentials.vcenter!.user);
      expect(Date.parse(info.body.value.created_time)).not.toBeNaN();
    }
    // The cookie the server set is accepted in place of the header.
    expect((await call('GET', '/rest/com/vmware/cis/tagging/category', { cookie: `vmware-api-session-id=${id}` })).status).toBe(200);

    expect((await call('DELETE', '/rest/com/vmware/cis/session', { session: id })).status).toBe(200);
    const after = await call('POST', '/rest/com/vmware/cis/session?~action=get', { session: id });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({
      type: 'com.vmware.vapi.std.errors.unauthenticated',
      value: { messages: [{ id: 'com.vmware.vapi.endpoint.method.authentication.required', default_message: 'Authentication required.', args: [] }] },
    });
  });

  test('newer /api: 201 with a JSON string id, GET session, DELETE 204; wrong password 401 UNAUTHENTICATED', async () => {
    const created = await call('POST', '/api/session', { auth: login() });
    expect(created.status).toBe(201);
    expect(typeof created.body).toBe('string');
    const info = await call('GET', '/api/session', { session: created.body });
    expect(info.status).toBe(200);
    expect(info.body.user).toBe(env.lab.credentials.vcenter!.user);
    expect((await call('DELETE', '/api/session', { session: created.body })).status).toBe(204);
    expect((await call('GET', '/api/session', { session: created.body })).status).toBe(401);

    const wrong = await call('POST', '/api/session', { auth: basic(env.lab.credentials.vcenter!.user, 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_type).toBe('UNAUTHENTICATED');
    expect(wrong.body.messages[0].id).toBe('com.vmware.vapi.endpoint.method.authentication.required');
    // The lab's invalid-login fault refuses a REST login too, once.
    env.lab.faults.set({ target: 'vcenter', type: 'invalid-login', params: {}, remaining: 1 });
    expect((await call('POST', '/api/session', { auth: login() })).status).toBe(401);
    expect((await call('POST', '/api/session', { auth: login() })).status).toBe(201);
    const olderWrong = await call('POST', '/rest/com/vmware/cis/session', {});
    expect(olderWrong.status).toBe(401);
    expect(olderWrong.body.type).toBe('com.vmware.vapi.std.errors.unauthenticated');
  });

  test('a SOAP session cookie is not a REST session', async () => {
    const vc = await env.login();
    const soapCookie = vc.soap.sessionCookie!;
    expect(soapCookie).toBeTruthy();
    const res = await call('GET', '/api/cis/tagging/category', { session: soapCookie, cookie: `vmware_soap_session="${soapCookie}"` });
    expect(res.status).toBe(401);
    await vc.logout();
  });
});

describe('vSphere Automation REST: tagging', () => {
  test('older /rest: category, tag, attach to a real VM, list both ways, SINGLE cardinality, detach, delete', async () => {
    const session = (await call('POST', '/rest/com/vmware/cis/session', { auth: login() })).body.value as string;
    const r = (method: string, path: string, body?: unknown) => call(method, `/rest/com/vmware/cis/tagging/${path}`, { session, body });
    const vm = env.lab.world.inventory.vms[0]!;
    const vmObj = { type: 'VirtualMachine', id: vm.moid };

    const cat = await r('POST', 'category', { create_spec: { name: 'backup-policy', description: 'daily', cardinality: 'SINGLE', associable_types: ['VirtualMachine'] } });
    expect(cat.status).toBe(200);
    const catId = cat.body.value as string;
    expect(catId).toMatch(/^urn:vmomi:InventoryServiceCategory:[0-9a-f-]{36}:GLOBAL$/);
    expect((await r('GET', 'category')).body.value).toContain(catId);
    expect((await r('GET', `category/id:${catId}`)).body.value).toEqual({
      id: catId, name: 'backup-policy', description: 'daily', cardinality: 'SINGLE', associable_types: ['VirtualMachine'], used_by: [],
    });
    const dup = await r('POST', 'category', { create_spec: { name: 'backup-policy', description: '', cardinality: 'SINGLE', associable_types: [] } });
    expect(dup.status).toBe(400);
    expect(dup.body.type).toBe('com.vmware.vapi.std.errors.already_exists');

    const gold = (await r('POST', 'tag', { create_spec: { name: 'gold', description: 'hourly', category_id: catId } })).body.value as string;
    const silver = (await r('POST', 'tag', { create_spec: { name: 'silver', description: '', category_id: catId } })).body.value as string;
    expect(gold).toMatch(/^urn:vmomi:InventoryServiceTag:/);
    expect((await r('GET', `tag/id:${gold}`)).body.value).toEqual({ id: gold, category_id: catId, name: 'gold', description: 'hourly', used_by: [] });
    expect((await r('POST', `tag/id:${catId}?~action=list-tags-for-category`)).body.value.sort()).toEqual([gold, silver].sort());

    expect((await r('POST', `tag-association/id:${gold}?~action=attach`, { object_id: vmObj })).status).toBe(200);
    // govmomi sends a JSON null body for operations without input.
    expect((await r('POST', `tag-association/id:${gold}?~action=list-attached-objects`, null)).body.value).toEqual([vmObj]);
    expect((await r('POST', 'tag-association?~action=list-attached-tags', { object_id: vmObj })).body.value).toEqual([gold]);
    // SINGLE: a second tag of the same category on the same VM is refused.
    const second = await r('POST', `tag-association/id:${silver}?~action=attach`, { object_id: vmObj });
    expect(second.status).toBe(400);
    expect(second.body.type).toBe('com.vmware.vapi.std.errors.invalid_argument');
    // Only VirtualMachine is associable here.
    const host = env.lab.world.inventory.hosts[0]!;
    expect((await r('POST', `tag-association/id:${gold}?~action=attach`, { object_id: { type: 'HostSystem', id: host.moid } })).status).toBe(400);
    // Unknown inventory object: not_found.
    const ghost = await r('POST', `tag-association/id:${gold}?~action=attach`, { object_id: { type: 'VirtualMachine', id: 'vm-99999' } });
    expect(ghost.status).toBe(404);
    expect(ghost.body.type).toBe('com.vmware.vapi.std.errors.not_found');

    const onTags = await r('POST', 'tag-association?~action=list-attached-objects-on-tags', { tag_ids: [gold, silver] });
    expect(onTags.body.value).toEqual([{ tag_id: gold, object_ids: [vmObj] }, { tag_id: silver, object_ids: [] }]);
    const onObjs = await r('POST', 'tag-association?~action=list-attached-tags-on-objects', { object_ids: [vmObj] });
    expect(onObjs.body.value).toEqual([{ object_id: vmObj, tag_ids: [gold] }]);

    expect((await r('POST', `tag-association/id:${gold}?~action=detach`, { object_id: vmObj })).status).toBe(200);
    expect((await r('POST', 'tag-association?~action=list-attached-tags', { object_id: vmObj })).body.value).toEqual([]);

    // Cardinality only widens; associable types only grow.
    expect((await r('PATCH', `category/id:${catId}`, { update_spec: { cardinality: 'MULTIPLE', associable_types: ['VirtualMachine', 'HostSystem'] } })).status).toBe(200);
    expect((await r('PATCH', `category/id:${catId}`, { update_spec: { cardinality: 'SINGLE' } })).status).toBe(400);
    const multi = await r('POST', 'tag-association?~action=attach-multiple-tags-to-object', { object_id: vmObj, tag_ids: [gold, silver] });
    expect(multi.body.value).toEqual({ success: true, error_messages: [] });

    expect((await r('DELETE', `category/id:${catId}`)).status).toBe(200);
    expect((await r('GET', `tag/id:${gold}`)).status).toBe(404);
    expect((await r('POST', 'tag-association?~action=list-attached-tags', { object_id: vmObj })).body.value).toEqual([]);
  });

  test('newer /api: bare specs and values, 201/204, ?action=, not_found as NOT_FOUND; bad input 400 and the server keeps serving', async () => {
    const session = (await call('POST', '/api/session', { auth: login() })).body as string;
    const a = (method: string, path: string, body?: unknown) => call(method, `/api/cis/tagging/${path}`, { session, body });
    const vm = env.lab.world.inventory.vms[1]!;
    const vmObj = { type: 'VirtualMachine', id: vm.moid };

    const cat = await a('POST', 'category', { name: 'tier', description: '', cardinality: 'MULTIPLE', associable_types: [] });
    expect(cat.status).toBe(201);
    const catId = cat.body as string;
    const tag = await a('POST', 'tag', { name: 'prod', description: 'production', category_id: catId });
    expect(tag.status).toBe(201);
    const tagId = tag.body as string;
    expect((await a('GET', `tag/${encodeURIComponent(tagId)}`)).body).toMatchObject({ id: tagId, name: 'prod', category_id: catId });
    expect((await a('POST', 'tag?action=list-tags-for-category', { category_id: catId })).body).toEqual([tagId]);
    expect((await a('PATCH', `tag/${encodeURIComponent(tagId)}`, { description: 'prod workloads' })).status).toBe(204);
    expect((await a('GET', `tag/${encodeURIComponent(tagId)}`)).body.description).toBe('prod workloads');

    const multi = await a('POST', `tag-association/${encodeURIComponent(tagId)}?action=attach-tag-to-multiple-objects`, {
      object_ids: [vmObj, { type: 'VirtualMachine', id: 'vm-424242' }],
    });
    expect(multi.status).toBe(200);
    expect(multi.body.success).toBe(false);
    expect(multi.body.error_messages).toHaveLength(1);
    expect((await a('POST', `tag-association/${encodeURIComponent(tagId)}?action=list-attached-objects`)).body).toEqual([vmObj]);
    expect((await a('POST', `tag-association/${encodeURIComponent(tagId)}?action=detach`, { object_id: vmObj })).status).toBe(204);

    const missing = await a('GET', 'category/urn:vmomi:InventoryServiceCategory:00000000-0000-0000-0000-000000000000:GLOBAL');
    expect(missing.status).toBe(404);
    expect(missing.body.error_type).toBe('NOT_FOUND');
    expect(missing.body.messages[0].default_message).toContain('not found');

    const bad = await env.http.request({ host: 'vcenter.lab.test', method: 'POST', path: '/api/cis/tagging/category', headers: { 'vmware-api-session-id': session, 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error_type: string }>().error_type).toBe('INVALID_ARGUMENT');
    expect((await a('POST', 'category', { name: 'x', cardinality: 'SOMETIMES' })).status).toBe(400);
    expect((await a('GET', 'nonsense')).status).toBe(404);
    expect((await a('DELETE', `category/${encodeURIComponent(catId)}`)).status).toBe(204);
    expect((await a('GET', 'category')).body).toEqual([]);
    // SOAP on the same listener is unaffected.
    const vc = await env.login();
    await vc.logout();
  });
});
