import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SpecError } from '../errors.js';
import { resolveExperiment } from './resolve.js';
import type { ResolvedExperiment } from './resolved.js';

/** Parses the text of an experiment file (YAML, or JSON which is YAML too). */
export function parseExperimentText(text: string, source: string): unknown {
  if (text.trim() === '') throw new SpecError([{ path: source, message: 'the file is empty' }], source);
  if (text.includes('\u0000')) {
    throw new SpecError(
      [{ path: source, message: 'not a YAML or JSON file (it contains binary data)' }],
      source,
    );
  }
  if (extname(source).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new SpecError([{ path: source, message: `not valid JSON: ${(error as Error).message}` }], source);
    }
  }
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(documents)) return undefined;
  const nonEmpty = documents.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length > 1) {
    throw new SpecError(
      [{ path: source, message: `holds ${nonEmpty.length} YAML documents; put one experiment per file` }],
      source,
    );
  }
  const document = nonEmpty[0];
  if (!document) throw new SpecError([{ path: source, message: 'the file is empty' }], source);
  if (document.errors.length > 0) {
    throw new SpecError(
      document.errors.map((e) => ({
        path: e.linePos ? `${source}:${e.linePos[0].line}:${e.linePos[0].col}` : source,
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
      })),
      source,
    );
  }
  return document.toJS();
}

/** Reads, parses and validates an experiment file; relative paths inside resolve against its folder. */
export async function loadExperimentFile(path: string): Promise<ResolvedExperiment> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new SpecError([{ path, message: reason }], path);
  }
  const document = parseExperimentText(text, path);
  try {
    return resolveExperiment(document, dirname(resolve(path)));
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.problems, path);
    throw error;
  }
}
