import type { RequestHandler } from 'msw';
import type { Credentials } from '../../core/types.ts';
import { invalidArgument } from './errors.ts';
import { restRouter, type Operation, type RestCall } from './router.ts';
import { RestSessions, sessionIdOf, type RestSession } from './sessions.ts';
import { objectId, TaggingStore, type ObjectId } from './tagging.ts';

export interface RestServiceOptions {
  /** The lab's vCenter login (the same one SOAP Login accepts). */
  login: Credentials;
  /** Whether an inventory object exists on this vCenter. */
  exists(o: ObjectId): boolean;
  /** Consumes an active `invalid-login` fault: the next REST login is refused like a wrong password. */
  refuseLogin?(): boolean;
}

/** The older form wraps create/update specs (`create_spec`, `update_spec`); the newer sends them bare. */
function spec(call: RestCall, wrapper: 'create_spec' | 'update_spec'): Record<string, unknown> {
  if (call.form === 'newer') return call.body;
  const inner = call.body[wrapper];
  if (!inner || typeof inner !== 'object') throw invalidArgument(`The request body needs "${wrapper}".`, [wrapper]);
  return inner as Record<string, unknown>;
}

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidArgument(`${field} must be an array of strings`, [field]);
  return v as string[];
}

function objectList(v: unknown, field: string): ObjectId[] {
  if (!Array.isArray(v)) throw invalidArgument(`${field} must be an array of object ids`, [field]);
  return v.map((o) => objectId(o, field));
}

/** Whether a request path belongs to the REST API rather than /sdk. */
export function isRestPath(url: string): boolean {
  return url.startsWith('/rest/') || url.startsWith('/api/');
}

function sessionInfo(s: RestSession) {
  return { user: s.user, created_time: s.created.toISOString(), last_accessed_time: s.lastAccessed.toISOString() };
}

/**
 * vSphere Automation REST on vCenter's 443 listener: sessions (basic auth -> vmware-api-session-id)
 * and the tagging service (categories, tags, tag associations), in both the /rest and /api forms.
 * Returns the handlers and the tagging store (for tests and the lab's in-process API).
 */
export function vcenterRestService(opts: RestServiceOptions): { handlers: RequestHandler[]; tagging: TaggingStore; sessions: RestSessions } {
  const sessions = new RestSessions(opts.login, opts.refuseLogin);
  const tagging = new TaggingStore(opts.exists);
  const id = (call: RestCall) => call.id!;

  const createSession: Operation = (call) => {
    const s = sessions.create(call.request.headers.get('authorization'));
    // The older API also sets the cookie (browsers); header-authn clients read the body.
    const headers: Record<string, string> = call.form === 'older' ? { 'set-cookie': `vmware-api-session-id=${s.id}; Path=/rest; Secure; HttpOnly` } : {};
    return { value: s.id, created: true, headers };
  };
  const getSession: Operation = (call) => ({ value: sessionInfo(call.session!) });

  const operations: Record<string, Operation> = {
    'POST session': createSession,
    'DELETE session': (call) => void sessions.delete(call.session!),
    'GET session': getSession,
    'GET session get': getSession,
    'POST session get': getSession,

    'POST tagging/category': (call) => ({ value: tagging.createCategory(spec(call, 'create_spec')), created: true }),
    'GET tagging/category': () => ({ value: tagging.listCategories() }),
    'GET tagging/category {id}': (call) => ({ value: tagging.category(id(call)) }),
    'PATCH tagging/category {id}': (call) => void tagging.updateCategory(id(call), spec(call, 'update_spec')),
    'DELETE tagging/category {id}': (call) => void tagging.deleteCategory(id(call)),

    'POST tagging/tag': (call) => ({ value: tagging.createTag(spec(call, 'create_spec')), created: true }),
    'GET tagging/tag': () => ({ value: tagging.listTags() }),
    'GET tagging/tag {id}': (call) => ({ value: tagging.tag(id(call)) }),
    'PATCH tagging/tag {id}': (call) => void tagging.updateTag(id(call), spec(call, 'update_spec')),
    'DELETE tagging/tag {id}': (call) => void tagging.deleteTag(id(call)),
    // Older: the category id is in the path; newer: in the body.
    'POST tagging/tag {id} list-tags-for-category': (call) => ({ value: tagging.tagsForCategory(id(call)) }),
    'POST tagging/tag list-tags-for-category': (call) => ({ value: tagging.tagsForCategory(String(call.body.category_id ?? '')) }),

    'POST tagging/tag-association {id} attach': (call) => void tagging.attach(id(call), objectId(call.body.object_id)),
    'POST tagging/tag-association {id} detach': (call) => void tagging.detach(id(call), objectId(call.body.object_id)),
    'POST tagging/tag-association {id} attach-tag-to-multiple-objects': (call) => ({
      value: tagging.batch(objectList(call.body.object_ids, 'object_ids').map((o) => () => tagging.attach(id(call), o))),
    }),
    'POST tagging/tag-association {id} detach-tag-from-multiple-objects': (call) => ({
      value: tagging.batch(objectList(call.body.object_ids, 'object_ids').map((o) => () => tagging.detach(id(call), o))),
    }),
    'POST tagging/tag-association {id} list-attached-objects': (call) => ({ value: tagging.attachedObjects(id(call)) }),
    'POST tagging/tag-association attach-multiple-tags-to-object': (call) => {
      const o = objectId(call.body.object_id);
      return { value: tagging.batch(stringList(call.body.tag_ids, 'tag_ids').map((t) => () => tagging.attach(t, o))) };
    },
    'POST tagging/tag-association detach-multiple-tags-from-object': (call) => {
      const o = objectId(call.body.object_id);
      return { value: tagging.batch(stringList(call.body.tag_ids, 'tag_ids').map((t) => () => tagging.detach(t, o))) };
    },
    'POST tagging/tag-association list-attached-tags': (call) => ({ value: tagging.tagsOn(objectId(call.body.object_id)) }),
    'POST tagging/tag-association list-attached-objects-on-tags': (call) => ({
      value: stringList(call.body.tag_ids, 'tag_ids').map((t) => ({ tag_id: t, object_ids: tagging.attachedObjects(t) })),
    }),
    'POST tagging/tag-association list-attached-tags-on-objects': (call) => ({
      value: objectList(call.body.object_ids, 'object_ids').map((o) => ({ object_id: o, tag_ids: tagging.tagsOn(o) })),
    }),
  };

  const handlers = restRouter({
    operations,
    public: new Set(['POST session']),
    authenticate: (call) => sessions.require(sessionIdOf(call.request)),
  });
  return { handlers, tagging, sessions };
}
