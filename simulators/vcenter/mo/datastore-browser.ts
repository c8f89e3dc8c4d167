import { arrayOf, data, isXObject, type DataObject, type MoRef } from '../../core/codecs/vim25/index.ts';
import type { CallContext, SoapEngine } from '../engine.ts';
import { ManagedObject } from '../managed-object.ts';
import { Args } from '../soap/args.ts';
import { VimFault } from '../soap/faults.ts';
import { cleanPath, datastoreFilesOf, type DsFile, type DsFileKind } from '../datastore-files.ts';
import { splitDsPath } from '../vmx.ts';
import { startTask } from './task.ts';

/** FileQuery subtype -> the file kinds it selects and the FileInfo subtype it answers with. */
const QUERIES: Record<string, { kinds: DsFileKind[]; info: string }> = {
  FolderFileQuery: { kinds: ['folder'], info: 'FolderFileInfo' },
  VmConfigFileQuery: { kinds: ['vmx'], info: 'VmConfigFileInfo' },
  TemplateConfigFileQuery: { kinds: [], info: 'TemplateConfigFileInfo' },
  VmDiskFileQuery: { kinds: ['vmdk'], info: 'VmDiskFileInfo' },
  VmNvramFileQuery: { kinds: ['nvram'], info: 'VmNvramFileInfo' },
  VmLogFileQuery: { kinds: ['log'], info: 'VmLogFileInfo' },
  VmSnapshotFileQuery: { kinds: [], info: 'VmSnapshotFileInfo' },
  IsoImageFileQuery: { kinds: [], info: 'IsoImageFileInfo' },
  FloppyImageFileQuery: { kinds: [], info: 'FloppyImageFileInfo' },
};
const INFO_OF_KIND: Partial<Record<DsFileKind, string>> = { folder: 'FolderFileInfo', vmx: 'VmConfigFileInfo', vmdk: 'VmDiskFileInfo', nvram: 'VmNvramFileInfo', log: 'VmLogFileInfo' };

function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '');
}

interface Search {
  queries: string[];
  patterns: RegExp[];
  details?: { fileType: boolean; fileSize: boolean; modification: boolean; fileOwner: boolean };
  foldersFirst: boolean;
}

function parseSpec(raw: unknown): Search {
  const spec = raw === undefined || raw === '' ? new Args({}) : Args.of(raw as never, 'searchSpec');
  const queries = spec.list('query').map((q) => (isXObject(q) && q._type ? q._type : 'FileQuery'));
  for (const q of queries) if (q !== 'FileQuery' && !QUERIES[q]) throw new VimFault('InvalidArgument', `A specified parameter was not correct: searchSpec.query (${q})`, { invalidProperty: 'searchSpec.query' });
  const ci = spec.bool('searchCaseInsensitive', false);
  const patterns = spec.list('matchPattern').map((p) => glob(String(p), ci));
  const d = spec.optObj('details');
  const details = d ? (() => { const a = new Args(d); return { fileType: a.bool('fileType', false), fileSize: a.bool('fileSize', false), modification: a.bool('modification', false), fileOwner: a.bool('fileOwner', false) }; })() : undefined;
  return { queries, patterns: patterns.length ? patterns : [/^.*$/], details, foldersFirst: spec.bool('sortFoldersFirst', false) };
}

/**
 * HostDatastoreBrowser over the datastore file model: SearchDatastore_Task lists one folder,
 * SearchDatastoreSubFolders_Task the folder and every folder below it (one result per folder).
 * A malformed path or a datastore the browser cannot see is InvalidDatastorePath; a missing folder
 * fails the task with FileNotFound.
 */
export class HostDatastoreBrowser extends ManagedObject {
  constructor(engine: SoapEngine, id: string, private readonly datastores: () => MoRef[]) {
    super(engine, 'HostDatastoreBrowser', id);
    this.expose({
      datastore: datastores,
      supportedType: () => Object.keys(QUERIES).map((t) => data(t, {})),
    });
  }

  private resolve(args: Args): { ref: MoRef; ds: string; dir: string } {
    const p = args.str('datastorePath');
    const at = splitDsPath(p);
    const dir = at && cleanPath(at.path);
    const inv = this.engine.world.inventory;
    const ds = at && inv.datastores.find((d) => d.name === at.ds);
    const ref = ds && this.datastores().find((r) => r.value === ds.moid);
    if (!at || dir === undefined || !ds || !ref) throw new VimFault('InvalidDatastorePath', `Invalid datastore path '${p}'.`, { datastore: ref, name: at?.ds, datastorePath: p });
    return { ref, ds: ds.name, dir };
  }

  private results(ref: MoRef, ds: string, dir: string, files: DsFile[], s: Search): DataObject {
    const prefix = dir ? `${dir}/` : '';
    const inDir = files.filter((f) => f.path.startsWith(prefix) && !f.path.slice(prefix.length).includes('/') && f.path !== dir);
    const selected = inDir.filter((f) => {
      const name = f.path.slice(prefix.length);
      if (!s.patterns.some((re) => re.test(name))) return false;
      return !s.queries.length || s.queries.some((q) => q === 'FileQuery' || QUERIES[q]!.kinds.includes(f.kind));
    });
    if (s.foldersFirst) selected.sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder'));
    return data('HostDatastoreBrowserSearchResults', {
      datastore: ref,
      folderPath: dir ? `[${ds}] ${dir}/` : `[${ds}]`,
      file: selected.map((f) => this.fileInfo(f, prefix, s, files)),
    });
  }

  private fileInfo(f: DsFile, prefix: string, s: Search, all: DsFile[]): DataObject {
    const typed = s.details ? s.details.fileType : true;
    const type = typed ? (INFO_OF_KIND[f.kind] ?? 'FileInfo') : 'FileInfo';
    const out: DataObject = data(type, {
      path: f.path.slice(prefix.length),
      fileSize: !s.details || s.details.fileSize ? (f.kind === 'vmdk' ? diskBytes(f, all) : f.size) : undefined,
      modification: !s.details || s.details.modification ? f.modification : undefined,
      owner: s.details?.fileOwner ? 'root' : undefined,
    });
    if (type === 'VmDiskFileInfo') {
      const extent = f.path.replace(/\.vmdk$/i, '-flat.vmdk');
      const cap = all.find((x) => x.path === extent)?.size;
      Object.assign(out, { diskType: 'VirtualDiskFlatVer2BackingInfo', capacityKb: cap === undefined ? undefined : Math.floor(cap / 1024), hardwareVersion: 19, diskExtents: cap === undefined ? undefined : [extent.slice(prefix.length)], thin: true });
    }
    if (type === 'VmConfigFileInfo') out.configVersion = 8;
    return out;
  }

  /** Runs a search as a task on the datastore searched (TaskInfo.entity must be a ManagedEntity). */
  private search(args: Args, call: CallContext, descriptionId: string, answer: (ref: MoRef, ds: string, dir: string, files: DsFile[], s: Search) => unknown): MoRef {
    const { ref, ds, dir } = this.resolve(args);
    const s = parseSpec(args.raw.searchSpec);
    return startTask(call, this.engine.lookup(ref), descriptionId, () => {
      const files = datastoreFilesOf(this.engine.world).list(ds);
      if (dir && !files.some((f) => f.path === dir && f.kind === 'folder')) throw notFound(ds, dir);
      return answer(ref, ds, dir, files, s);
    });
  }

  SearchDatastore_Task(args: Args, call: CallContext): MoRef {
    return this.search(args, call, 'HostDatastoreBrowser.search', (ref, ds, dir, files, s) => this.results(ref, ds, dir, files, s));
  }

  SearchDatastoreSubFolders_Task(args: Args, call: CallContext): MoRef {
    return this.search(args, call, 'HostDatastoreBrowser.searchSubFolders', (ref, ds, dir, files, s) => {
      const folders = [dir, ...files.filter((f) => f.kind === 'folder' && (!dir || f.path.startsWith(`${dir}/`))).map((f) => f.path)].sort();
      return arrayOf('HostDatastoreBrowserSearchResults', folders.map((d) => this.results(ref, ds, d, files, s)));
    });
  }
}

/** A descriptor's size as ESXi reports it in searches: the descriptor plus its extents. */
function diskBytes(f: DsFile, all: DsFile[]): number {
  const stem = f.path.replace(/\.vmdk$/i, '');
  const extents = ['flat', 'sesparse', 'delta'].map((k) => `${stem}-${k}.vmdk`);
  return f.size + all.filter((x) => extents.includes(x.path)).reduce((n, x) => n + x.size, 0);
}

function notFound(ds: string, dir: string): VimFault {
  const file = `[${ds}] ${dir}`;
  return new VimFault('FileNotFound', `File ${file} was not found`, { file });
}
