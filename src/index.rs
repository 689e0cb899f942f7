//! Stage 4: the tantivy index. One document per incident, with the fields
//! search needs (symptoms, causes, fixes, title, body, filters) and the
//! record itself stored as JSON.
//!
//! Imports are incremental and atomic: the manifest of post → content hash
//! is named by the commit payload, inside tantivy's `meta.json`, which a
//! commit replaces atomically (see `manifest`). A crash at any point leaves
//! the previous commit — index and manifest together — and the next import
//! repairs the rest.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::directory::error::LockError;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::config::Config;
use crate::corpus::{self, Problem};
use crate::error::{Error, Result};
use crate::extract::EXTRACTOR_VERSION;
use crate::incident::Incident;
use crate::pipeline;

mod analyzer;
mod manifest;
pub use analyzer::{
    analyzer, first_token_ending_after, last_token_end, snippet_analyzer, token_between,
    TermFinder, MAX_WORD_BYTES,
};
use manifest::Manifest;

/// English with stemming, so "timing out" meets "timeouts".
pub const ANALYZER: &str = "pmkb_en";
/// Split among tantivy's indexing threads. At 100 MB a 100k import made
/// small segments whose merging kept one core busy for 3 s after the last
/// post; at 200 MB that tail was about 1.3 s, and the peak RSS lower (fewer
/// merges held at once): 970 MB against 1090 MB.
const WRITER_MEMORY: usize = 200_000_000;
/// How long an import waits for another one to finish.
const WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// In the fingerprint: a change extracts every post again.
const MANIFEST_VERSION: u32 = 2;
/// Posts a worker extracts at a time (see `import`).
const EXTRACT_CHUNK: usize = 32;

/// The index's fields, by role.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub symptoms: Field,
    pub causes: Field,
    pub fixes: Field,
    pub body: Field,
    /// Lowercased technology names, for `tech:` filters and facets.
    pub technologies: Field,
    pub tags: Field,
    pub year: Field,
    /// The `Incident` as JSON: what every answer is built from.
    pub record: Field,
    /// The post as written, for the incident page.
    pub markdown: Field,
    pub markdown_line: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        symptoms: builder.add_text_field("symptoms", text.clone()),
        causes: builder.add_text_field("causes", text.clone()),
        fixes: builder.add_text_field("fixes", text.clone()),
        body: builder.add_text_field("body", text.set_stored()),
        technologies: builder.add_text_field("technologies", STRING | FAST),
        tags: builder.add_text_field("tags", STRING | FAST),
        year: builder.add_text_field("year", STRING | FAST),
        record: builder.add_text_field("record", STORED),
        markdown: builder.add_text_field("markdown", STORED),
        markdown_line: builder.add_u64_field("markdown_line", STORED),
    };
    (builder.build(), fields)
}

/// An open index: for searching (the reader reloads itself after commits)
/// and for importing.
#[derive(Clone)]
pub struct PostIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub path: PathBuf,
}

fn corrupt(path: &Path, err: impl std::fmt::Display) -> Error {
    Error::CorruptIndex {
        path: path.to_path_buf(),
        reason: err.to_string(),
    }
}

impl PostIndex {
    /// Opens an existing index; says what to run when there is none or it
    /// cannot be read.
    pub fn open(path: &Path) -> Result<PostIndex> {
        if path.is_file() {
            // Said now: `import` would fail on it too.
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(
                    "a file, not a folder: give --index a folder of its own",
                ),
            });
        }
        if !path.join("meta.json").is_file() {
            return Err(Error::MissingIndex {
                path: path.to_path_buf(),
            });
        }
        Index::open_in_dir(path)
            .map_err(|e| corrupt(path, e))
            .and_then(|index| Self::from_index(index, path))
            .map_err(|err| match err {
                // The advice `import` would give: it rebuilds only its own.
                Error::CorruptIndex { reason, .. } if !has_pmkb_files(path) => Error::NotOurs {
                    path: path.to_path_buf(),
                    reason: format!(
                        "it cannot be read, and no file of pmkb's is beside it: {reason}"
                    ),
                },
                other => other,
            })
    }

    /// Opens the index for an import, creating it when missing, and anew
    /// (saying why) when it cannot be read or another version of pmkb
    /// built it: the index is made from the posts, which are all there is
    /// to rebuild it from.
    fn open_or_create(path: &Path) -> Result<(PostIndex, Option<String>)> {
        if path.is_file() {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(
                    "a file, not a folder: give --index a folder of its own",
                ),
            });
        }
        if path.join("meta.json").is_file() {
            let why = match Self::open(path) {
                Err(Error::OtherVersion { .. }) => "another version of pmkb built the index".into(),
                // Only an index pmkb's files sit beside is pmkb's to remove.
                Err(Error::CorruptIndex { reason, .. }) if has_pmkb_files(path) => {
                    format!("the index cannot be read ({reason})")
                }
                Err(Error::CorruptIndex { reason, .. }) => {
                    return Err(Error::NotOurs {
                        path: path.to_path_buf(),
                        reason: format!(
                            "it cannot be read, and no file of pmkb's is beside it: {reason}"
                        ),
                    })
                }
                opened => return Ok((opened?, None)),
            };
            remove_index_files(path)?;
            return Ok((Self::create(path)?, Some(why)));
        }
        Ok((Self::create(path)?, None))
    }

    fn create(path: &Path) -> Result<PostIndex> {
        std::fs::create_dir_all(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let (schema, _) = schema();
        let index = Index::create_in_dir(path, schema).map_err(|e| corrupt(path, e))?;
        Self::from_index(index, path)
    }

    fn from_index(index: Index, path: &Path) -> Result<PostIndex> {
        let (expected, fields) = schema();
        if index.schema() != expected {
            // Every version of pmkb has had these two fields.
            let ours = ["symptoms", "record"]
                .iter()
                .all(|name| index.schema().get_field(name).is_ok());
            return Err(if ours {
                Error::OtherVersion {
                    path: path.to_path_buf(),
                }
            } else {
                Error::NotOurs {
                    path: path.to_path_buf(),
                    reason: format!(
                        "its fields: {}",
                        index
                            .schema()
                            .fields()
                            .map(|(_, entry)| entry.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            });
        }
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e| corrupt(path, e))?;
        Ok(PostIndex {
            index,
            reader,
            fields,
            path: path.to_path_buf(),
        })
    }

    /// The one writer of the index. Another import holding it is waited for
    /// a while (imports are short), then refused with a clear message.
    fn writer(&self) -> Result<IndexWriter> {
        let deadline = std::time::Instant::now() + WRITER_WAIT;
        loop {
            match self.index.writer(WRITER_MEMORY) {
                Ok(writer) => return Ok(writer),
                Err(TantivyError::LockFailure(LockError::LockBusy, _))
                    if std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    return Err(Error::IndexLocked {
                        path: self.path.clone(),
                    })
                }
                Err(other) => return Err(Error::Index(other)),
            }
        }
    }

    /// The manifest of the last commit.
    fn last_manifest(&self) -> manifest::Last {
        match self.index.load_metas() {
            Ok(meta) => match manifest::load(&self.path, meta.payload.as_deref()) {
                // Documents no manifest accounts for.
                manifest::Last::Nothing if !self.is_empty() => manifest::Last::Lost {
                    file: self.path.join("meta.json"),
                    reason: "the last commit names no manifest".into(),
                },
                last => last,
            },
            Err(err) => manifest::Last::Lost {
                file: self.path.join("meta.json"),
                reason: err.to_string(),
            },
        }
    }

    pub fn record_of(&self, doc: &TantivyDocument) -> Option<Incident> {
        let json = doc.get_first(self.fields.record)?.as_str()?;
        serde_json::from_str(json).ok()
    }

    pub fn body_of(&self, doc: &TantivyDocument) -> String {
        doc.get_first(self.fields.body)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    }

    /// One record by id.
    pub fn get(&self, id: &str) -> Result<Option<Incident>> {
        Ok(self
            .document_by_id(id)?
            .and_then(|doc| self.record_of(&doc)))
    }

    /// The incident a person means by `given` on the command line: its id,
    /// or else the post's file (`2018-03-14-postgres-failover.md`, as `ls`
    /// shows it) or the start of one id alone. Several that fit are named
    /// in the error, to choose from.
    pub fn find(&self, given: &str) -> Result<Incident> {
        if let Some(record) = self.get(given)? {
            return Ok(record);
        }
        let wanted = crate::incident::normalize_id(given);
        let file = given.trim_start_matches("./");
        let all = self.all()?;
        let by_file: Vec<&Incident> = all
            .iter()
            .filter(|r| {
                r.source == file
                    || file.ends_with(&format!("/{}", r.source))
                    || r.source.rsplit('/').next() == Some(file)
            })
            .collect();
        let fitting: Vec<&Incident> = if by_file.is_empty() && !wanted.is_empty() {
            all.iter().filter(|r| r.id.starts_with(&wanted)).collect()
        } else {
            by_file
        };
        match fitting.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::UnknownId(given.to_string())),
            several => Err(Error::AmbiguousId {
                given: given.to_string(),
                ids: several
                    .iter()
                    .take(5)
                    .map(|r| format!("`{}`", r.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The stored document of an id, as a person may type it: ids are
    /// compared normalised (`2021-06-18-Checkout-Pool` is that post's id).
    fn document_by_id(&self, id: &str) -> Result<Option<TantivyDocument>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, &crate::incident::normalize_id(id)),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        match hits.first() {
            Some((_, address)) => Ok(Some(searcher.doc(*address)?)),
            None => Ok(None),
        }
    }

    /// Every record, sorted by id.
    pub fn all(&self) -> Result<Vec<Incident>> {
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut records = Vec::with_capacity(addresses.len());
        for address in addresses {
            if let Some(record) = self.record_of(&searcher.doc(address)?) {
                records.push(record);
            }
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(records)
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Names what the reader sees: the same for the same segments and
    /// deletes, different after any commit that changed them. (The reader's
    /// own generation counter also moves on reloads that change nothing.)
    pub fn generation(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for segment in self.reader.searcher().segment_readers() {
            segment.segment_id().hash(&mut hasher);
            segment.delete_opstamp().hash(&mut hasher);
        }
        hasher.finish()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The post as written and the file line it starts at.
    pub fn markdown(&self, id: &str) -> Result<Option<(String, usize)>> {
        let Some(doc) = self.document_by_id(id)? else {
            return Ok(None);
        };
        let text = doc
            .get_first(self.fields.markdown)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let line = doc
            .get_first(self.fields.markdown_line)
            .and_then(|v| v.as_u64())
            .unwrap_or(1) as usize;
        Ok(Some((text, line)))
    }

    fn document(&self, record: &pipeline::Record) -> Result<TantivyDocument> {
        let extracted = &record.extracted;
        let f = &self.fields;
        let incident = &extracted.incident;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &incident.id);
        doc.add_text(f.title, &incident.title);
        for finding in &incident.symptoms {
            doc.add_text(f.symptoms, &finding.text);
        }
        for finding in &incident.causes {
            doc.add_text(f.causes, &finding.text);
        }
        for finding in &incident.fixes {
            doc.add_text(f.fixes, &finding.text);
        }
        doc.add_text(f.body, &extracted.body);
        for tech in &incident.technologies {
            doc.add_text(f.technologies, tech.to_lowercase());
        }
        for tag in &incident.tags {
            doc.add_text(f.tags, tag.to_lowercase());
        }
        if let Some(year) = incident.date.as_deref().and_then(|d| d.get(..4)) {
            doc.add_text(f.year, year);
        }
        let json = serde_json::to_string(incident).map_err(|e| Error::Query(e.to_string()))?;
        doc.add_text(f.record, json);
        doc.add_text(f.markdown, &record.markdown);
        doc.add_u64(f.markdown_line, record.markdown_line as u64);
        Ok(doc)
    }
}

/// Whether pmkb's own files (the stamps of an import, a manifest) are
/// beside the index.
fn has_pmkb_files(path: &Path) -> bool {
    path.join(STAMPS_FILE).is_file() || manifest::any_in(path)
}

/// Removes the files of an index (tantivy lists them in `.managed.json`)
/// and its `meta.json`, under the writer's lock so no other import is
/// writing them; the manifests beside it go after the next commit, as
/// stale ones always do.
fn remove_index_files(path: &Path) -> Result<()> {
    use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
    let directory = MmapDirectory::open(path).map_err(|e| corrupt(path, e))?;
    let _lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|_| Error::IndexLocked {
            path: path.to_path_buf(),
        })?;
    // Unreadable, the list leaves the old segments' files behind: they
    // take room, but no index names them.
    let managed: Vec<String> = std::fs::read(path.join(".managed.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let own = [String::from("meta.json"), String::from(".managed.json")];
    for name in managed.iter().chain(&own) {
        // Only plain names: the list is read from disk.
        if name.contains(['/', '\\']) || name.starts_with('.') && name != ".managed.json" {
            continue;
        }
        let file = path.join(name);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Io { path: file, source }),
        }
    }
    Ok(())
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub skipped: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub committed: bool,
}

impl ImportReport {
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

/// Progress of an import, for a progress bar.
pub trait Progress {
    fn start(&self, _total: usize) {}
    fn advance(&self, _count: usize) {}
    fn finish(&self) {}
}

/// No progress display.
pub struct Quiet;
impl Progress for Quiet {}

/// Brings the index at `index_dir` up to date with the posts in `posts_dir`.
pub fn import(posts_dir: &Path, index_dir: &Path, progress: &dyn Progress) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    let (config, config_problem) = Config::load_or_default(posts_dir);
    report.warnings.extend(config_problem);
    corpus::check_dir(posts_dir)?;
    let (index, rebuilt) = PostIndex::open_or_create(index_dir)?;
    if let Some(why) = rebuilt {
        report.warnings.push(Problem {
            source: index_dir.display().to_string(),
            line: 1,
            reason: format!("{why}; indexing every post again"),
        });
    }
    let mut writer = index.writer()?;
    // An import killed before its commit leaves the files it had written
    // (a segment's deletes among them): the same names come up again, and
    // tantivy refuses to overwrite a file.
    writer.garbage_collect_files().wait()?;
    let (old, old_form) = match index.last_manifest() {
        manifest::Last::Nothing => (Manifest::default(), false),
        manifest::Last::Found { manifest, old_form } => (manifest, old_form),
        manifest::Last::Lost { file, reason } => {
            // Which documents came from which post is unknown: start over
            // rather than leave an incident twice or a deleted one behind.
            report.warnings.push(Problem {
                source: file.display().to_string(),
                line: 1,
                reason: format!("{reason}; indexing every post again"),
            });
            writer.delete_query(Box::new(AllQuery))?;
            (Manifest::default(), false)
        }
    };
    let fingerprint = format!(
        "{MANIFEST_VERSION}-{EXTRACTOR_VERSION}-{}",
        config.fingerprint()
    );
    let reuse = old.fingerprint == fingerprint;
    let started = std::time::SystemTime::now();
    let stamps = if reuse {
        FileStamps::load(index_dir)
    } else {
        FileStamps::default()
    };
    let mut corpus = stamps.load_corpus(posts_dir, &old)?;
    report.skipped.append(&mut corpus.problems);

    let mut manifest = Manifest {
        fingerprint,
        posts: BTreeMap::new(),
    };
    let mut kept_ids: HashMap<String, String> = HashMap::new(); // id → key
    let mut changed = Vec::new();
    report.unchanged += stamps.keep_unread(&corpus, &old, &mut manifest.posts, &mut kept_ids);
    for raw in &corpus.posts {
        let key = raw.key();
        // Only a post the index already holds is hashed here: the others
        // are hashed by the extraction threads, and a first import of a
        // large knowledge base would otherwise start with a pass of one
        // core over all of its text.
        let same = match old.posts.get(&key) {
            Some((old_hash, id)) if reuse && !kept_ids.contains_key(id) => {
                let hash = raw.content_hash();
                (*old_hash == hash).then(|| (hash, id.clone()))
            }
            _ => None,
        };
        match same {
            Some((hash, id)) => {
                kept_ids.insert(id.clone(), key.clone());
                manifest.posts.insert(key, (hash, id));
                report.unchanged += 1;
            }
            None => changed.push(raw),
        }
    }

    progress.start(changed.len());
    let old_ids: HashSet<&str> = old.posts.values().map(|(_, id)| id.as_str()).collect();
    // id → where it was first seen, for the message about a duplicate.
    let mut new_ids: HashMap<String, String> = kept_ids
        .iter()
        .map(|(id, key)| (id.clone(), key.replace('#', ":")))
        .collect();
    // Extraction runs on every core, a chunk of posts at a time, while this
    // thread indexes the chunks in walk order (so "the second post with an
    // id" is the same post as ever) and tantivy's threads build segments:
    // every core stays busy, and extraction runs at most a window of chunks
    // ahead of indexing, so memory is bounded by the window, not by the
    // size of the corpus.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunks: Vec<&[&corpus::RawPost]> = changed.chunks(EXTRACT_CHUNK).collect();
    let window = ExtractWindow::new(chunks.len(), workers * 4);
    // Needed only when a changed post claims the id of an unchanged one.
    let walk = std::cell::OnceCell::new();
    std::thread::scope(|scope| -> Result<()> {
        let (sender, results) = std::sync::mpsc::channel::<(usize, pipeline::Records)>();
        for _ in 0..workers.min(chunks.len()) {
            let (sender, window, chunks, config) = (sender.clone(), &window, &chunks, &config);
            scope.spawn(move || {
                // A worker that panics stops the others, so the import ends
                // (and the scope raises the panic) instead of waiting for
                // the chunk that never comes.
                let _stop = window.stop_on_drop();
                while let Some(i) = window.take() {
                    let part = pipeline::extract_each(chunks[i].iter().copied(), config);
                    if sender.send((i, part)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // Stops the workers however this returns (an indexing error).
        let _stop = window.stop_on_drop();
        let mut pending: BTreeMap<usize, pipeline::Records> = BTreeMap::new();
        let mut expected = 0;
        while expected < chunks.len() {
            let part = match pending.remove(&expected) {
                Some(part) => part,
                None => match results.recv() {
                    Ok((i, part)) => {
                        pending.insert(i, part);
                        continue;
                    }
                    // A worker panicked: the scope re-raises its panic.
                    Err(_) => break,
                },
            };
            report.skipped.extend(part.problems);
            report.warnings.extend(part.warnings);
            for record in &part.records {
                let incident = &record.extracted.incident;
                let id = &incident.id;
                let place = format!("{}:{}", incident.source, incident.line);
                let duplicate = |holder: &str| {
                    pipeline::duplicate_id(&incident.source, incident.line, id, holder)
                };
                if let Some(other) = kept_ids.get(id) {
                    let walk = walk.get_or_init(|| WalkOrder::new(&corpus, &stamps));
                    if !walk.comes_before(&record.key, other) {
                        report.skipped.push(duplicate(&other.replace('#', ":")));
                        continue;
                    }
                    // This post comes first in the walk, so a fresh import
                    // would give it the id: the unchanged post holding it
                    // loses it (its document is replaced below).
                    let loser = manifest.posts.remove(other).is_some();
                    report.unchanged -= usize::from(loser);
                    if let Some(held) = index.get(id)? {
                        report.skipped.push(pipeline::duplicate_id(
                            &held.source,
                            held.line,
                            id,
                            &place,
                        ));
                    }
                    kept_ids.remove(id);
                    new_ids.remove(id);
                }
                if let Some(first) = new_ids.get(id) {
                    report.skipped.push(duplicate(first));
                    continue;
                }
                new_ids.insert(id.clone(), place);
                // Only an id the index holds has a document to replace: a
                // delete is applied to every segment at commit, and a first
                // import would pay that for each of its posts.
                if old_ids.contains(id.as_str()) {
                    writer.delete_term(Term::from_field_text(index.fields.id, id));
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                writer.add_document(index.document(record)?)?;
                manifest
                    .posts
                    .insert(record.key.clone(), (record.hash.clone(), id.clone()));
            }
            progress.advance(chunks[expected].len());
            expected += 1;
            window.consumed(expected);
        }
        Ok(())
    })?;
    // By file, not by when each was found (a duplicate id can be found by
    // an extraction thread or by this one): the same posts give the same
    // report, whatever the index held before.
    report
        .skipped
        .sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    for id in old_ids {
        if !new_ids.contains_key(id) {
            writer.delete_term(Term::from_field_text(index.fields.id, id));
            report.removed += 1;
        }
    }
    progress.finish();

    // Posts that failed before and fail again change nothing; a changed
    // fingerprint alone must still be recorded, and a manifest of the old
    // form written the new way.
    if report.changed() || !reuse || old_form || old.posts.len() != manifest.posts.len() {
        let saved = manifest::save(index_dir, &manifest)?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&saved.payload);
        prepared.commit()?;
        report.committed = true;
        manifest::remove_stale(index_dir, &saved.file);
    }
    stamps.save(index_dir, &corpus, &manifest.posts, started);
    writer.wait_merging_threads()?;
    Ok(report)
}

/// Where each post comes in the walk of the posts directory (file, then
/// place in the file): of the posts that claim one id, the first keeps it,
/// whatever the order they were written or imported in.
struct WalkOrder {
    rank: HashMap<String, (usize, usize)>,
}

impl WalkOrder {
    fn new(corpus: &corpus::Corpus, stamps: &FileStamps) -> WalkOrder {
        let file_rank: HashMap<&str, usize> = corpus
            .files
            .iter()
            .enumerate()
            .map(|(i, file)| (file.source.as_str(), i))
            .collect();
        let mut rank = HashMap::new();
        let mut posts_seen: HashMap<&str, usize> = HashMap::new();
        for raw in &corpus.posts {
            let seen = posts_seen.entry(raw.source.as_str()).or_default();
            if let Some(&file) = file_rank.get(raw.source.as_str()) {
                rank.insert(raw.key(), (file, *seen));
            }
            *seen += 1;
        }
        for file in corpus.files.iter().filter(|f| !f.read) {
            if let (Some(stamped), Some(&at)) = (
                stamps.files.get(&file.source),
                file_rank.get(file.source.as_str()),
            ) {
                for (place, (key, _)) in stamped.posts(&file.source).enumerate() {
                    rank.insert(key, (at, place));
                }
            }
        }
        WalkOrder { rank }
    }

    /// Whether the post `key` comes before `other`; false when either is
    /// unknown, so the post already in the index keeps its id.
    fn comes_before(&self, key: &str, other: &str) -> bool {
        matches!((self.rank.get(key), self.rank.get(other)), (Some(a), Some(b)) if a < b)
    }
}

/// The stamps (size, times, inode) of the post files of the last import,
/// with the key and content hash of each of their posts, in
/// `pmkb-stamps.json` beside the index: a re-import does not read a file
/// whose stamp is unchanged and whose posts the manifest holds with the same
/// hashes. Only a cache: the manifest in the commit stays the truth, a file
/// that does not match it is read, and a missing or unreadable stamps file
/// only means every file is read.
#[derive(Debug, Default, Serialize, Deserialize)]
struct FileStamps {
    version: u32,
    files: HashMap<String, StampedFile>,
}

/// A file's stamp and its posts, compact (78k files of 100k posts make
/// 14 MB): `[size, mtime_ns, ctime_ns, inode, [[key, hash], ...]]`, each key
/// without the `source#` every key of the file starts with.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StampedFile(u64, u64, u64, u64, Vec<(String, String)>);

impl StampedFile {
    fn stamp(&self) -> corpus::FileStamp {
        corpus::FileStamp {
            size: self.0,
            mtime_ns: self.1,
            ctime_ns: self.2,
            inode: self.3,
        }
    }

    /// (post key, content hash)
    fn posts<'a>(&'a self, source: &'a str) -> impl Iterator<Item = (String, &'a String)> + 'a {
        self.4
            .iter()
            .map(move |(rest, hash)| (format!("{source}#{rest}"), hash))
    }
}

const STAMPS_FILE: &str = "pmkb-stamps.json";
const STAMPS_VERSION: u32 = 2;
/// A file changed less than this long before an import started is read
/// again by the next one: a later change within the same clock tick would
/// not change its stamp.
const STAMP_SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

impl FileStamps {
    fn load(index_dir: &Path) -> FileStamps {
        std::fs::read(index_dir.join(STAMPS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<FileStamps>(&bytes).ok())
            .filter(|stamps| stamps.version == STAMPS_VERSION)
            .unwrap_or_default()
    }

    /// The corpus, without reading the files that are as the manifest
    /// remembers them.
    fn load_corpus(&self, posts_dir: &Path, old: &Manifest) -> Result<corpus::Corpus> {
        if self.files.is_empty() {
            return corpus::load_dir(posts_dir);
        }
        let mut ids: HashSet<&str> = HashSet::new();
        corpus::load_dir_skipping(posts_dir, &mut |source, stamp| {
            let Some(file) = self.files.get(source) else {
                return false;
            };
            file.stamp() == *stamp
                && !file.4.is_empty()
                && file.posts(source).all(|(key, hash)| {
                    matches!(old.posts.get(&key), Some((old_hash, id)) if old_hash == hash && ids.insert(id))
                })
        })
    }

    /// Records the posts of the files not read as unchanged; returns how
    /// many there were.
    fn keep_unread(
        &self,
        corpus: &corpus::Corpus,
        old: &Manifest,
        posts: &mut BTreeMap<String, (String, String)>,
        kept_ids: &mut HashMap<String, String>,
    ) -> usize {
        let mut kept = 0;
        for file in corpus.files.iter().filter(|f| !f.read) {
            for (key, hash) in self.files[&file.source].posts(&file.source) {
                let (_, id) = &old.posts[&key];
                kept_ids.insert(id.clone(), key.clone());
                posts.insert(key, (hash.clone(), id.clone()));
                kept += 1;
            }
        }
        kept
    }

    /// Writes the stamps of this import: files not read keep theirs; a file
    /// read is stamped when every one of its posts is in the index (none
    /// was skipped, so there is nothing to report again) and it had not
    /// changed just before the import started.
    fn save(
        mut self,
        index_dir: &Path,
        corpus: &corpus::Corpus,
        posts: &BTreeMap<String, (String, String)>,
        started: std::time::SystemTime,
    ) {
        let read_any = corpus.files.iter().any(|f| f.read);
        if !read_any && self.files.len() == corpus.files.len() {
            return;
        }
        let settled_before = started
            .checked_sub(STAMP_SETTLE)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        let mut by_source: HashMap<&str, Vec<&corpus::RawPost>> = HashMap::new();
        for raw in &corpus.posts {
            by_source.entry(raw.source.as_str()).or_default().push(raw);
        }
        let mut files = HashMap::with_capacity(corpus.files.len());
        for file in &corpus.files {
            if !file.read {
                if let Some(stamped) = self.files.remove(&file.source) {
                    files.insert(file.source.clone(), stamped);
                }
                continue;
            }
            let Some(stamp) = file.stamp.filter(|s| s.newest_ns() < settled_before) else {
                continue;
            };
            let Some(raws) = by_source.get(file.source.as_str()) else {
                continue;
            };
            let prefix = format!("{}#", file.source);
            let mut keys = HashSet::new();
            let stamped: Option<Vec<(String, String)>> = raws
                .iter()
                .map(|raw| {
                    let key = raw.key();
                    let (hash, _) = posts.get(&key)?;
                    let rest = key.strip_prefix(&prefix)?.to_string();
                    keys.insert(key).then(|| (rest, hash.clone()))
                })
                .collect();
            if let Some(stamped) = stamped {
                files.insert(
                    file.source.clone(),
                    StampedFile(
                        stamp.size,
                        stamp.mtime_ns,
                        stamp.ctime_ns,
                        stamp.inode,
                        stamped,
                    ),
                );
            }
        }
        let stamps = FileStamps {
            version: STAMPS_VERSION,
            files,
        };
        // Written whole and renamed into place; on any failure the next
        // import simply reads every file.
        let path = index_dir.join(STAMPS_FILE);
        let tmp = index_dir.join(format!("{STAMPS_FILE}.tmp"));
        let written = serde_json::to_vec(&stamps)
            .ok()
            .is_some_and(|json| std::fs::write(&tmp, json).is_ok());
        if !written || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Hands out chunk numbers to the extraction workers of an import, in
/// order, never more than `ahead` chunks past the last one indexed.
struct ExtractWindow {
    state: std::sync::Mutex<WindowState>,
    changed: std::sync::Condvar,
}

struct WindowState {
    next: usize,
    consumed: usize,
    len: usize,
    ahead: usize,
}

impl ExtractWindow {
    fn new(len: usize, ahead: usize) -> ExtractWindow {
        ExtractWindow {
            state: std::sync::Mutex::new(WindowState {
                next: 0,
                consumed: 0,
                len,
                ahead: ahead.max(1),
            }),
            changed: std::sync::Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WindowState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next chunk to extract; None when there are no more (or the
    /// import stopped).
    fn take(&self) -> Option<usize> {
        let mut state = self.lock();
        while state.next < state.len && state.next >= state.consumed + state.ahead {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        (state.next < state.len).then(|| {
            state.next += 1;
            state.next - 1
        })
    }

    /// `count` chunks are indexed.
    fn consumed(&self, count: usize) {
        self.lock().consumed = count;
        self.changed.notify_all();
    }

    fn stop(&self) {
        let mut state = self.lock();
        state.next = state.len;
        drop(state);
        self.changed.notify_all();
    }

    fn stop_on_drop(&self) -> impl Drop + '_ {
        struct Stop<'a>(&'a ExtractWindow);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.stop();
            }
        }
        Stop(self)
    }
}
