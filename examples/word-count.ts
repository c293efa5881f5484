/**
 * A map whose width is known only at run time: one task lists the text files of a folder, a
 * mapped task counts the words of each file (one durable instance per file, at most 4 at once),
 * and a last task sums the counts. Run with `npm run word-count -w examples`, which counts the
 * .txt and .md files of word-count-sample/; name another folder after `--` (relative to examples/:
 * `npm run word-count -w examples -- ../docs`) or in WORD_COUNT_FOLDER.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createExecutor, mapTask, task, workflow } from "cloacina";

const TEXT_FILE = /\.(txt|md)$/;

// The folder is part of the run's input, so a run resumed after a crash reads the same one.
const listFiles = task({ id: "words.list" }, async (ctx: { folder: string }) => {
  const entries = await readdir(ctx.folder, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && TEXT_FILE.test(e.name)).map((e) => e.name);
  return { files: files.sort() };
});

// One instance per file name: a file that fails to read is retried on its own, and the files
// already counted are not counted again.
const countWords = mapTask(
  {
    id: "words.count",
    dependsOn: [listFiles],
    over: "files",
    into: "counts",
    maxParallel: 4,
    retry: { maxAttempts: 2 },
  },
  async (file, ctx) => {
    const text = await readFile(path.join(ctx.folder, file), "utf8");
    return { file, words: text.split(/\s+/).filter((word) => word.length > 0).length };
  },
);

// ctx.counts is typed from the map: { file: string; words: number }[], in the order of ctx.files.
const summarize = task({ id: "words.summary", dependsOn: [countWords] }, (ctx) => ({
  totalWords: ctx.counts.reduce((sum, c) => sum + c.words, 0),
  longest: [...ctx.counts].sort((a, b) => b.words - a.words).slice(0, 3),
}));

const wordCount = workflow({ name: "word-count", tasks: [listFiles, countWords, summarize] });

const folder = path.resolve(
  process.argv[2] ?? process.env.WORD_COUNT_FOLDER ?? path.join(import.meta.dirname, "word-count-sample"),
);
const executor = await createExecutor(process.env.CLOACINA_DATABASE_URL ?? "sqlite://./cloacina.db");
try {
  const result = await executor.execute(wordCount, { folder });
  console.log(`run ${result.executionId}: ${result.status}`);
  if (result.status === "Completed") {
    const { files, totalWords, longest } = result.finalContext;
    console.log(`${files.length} files in ${folder}, ${totalWords} words`);
    for (const { file, words } of longest) console.log(`  ${String(words).padStart(6)}  ${file}`);
  } else process.exitCode = 1;
} finally {
  await executor.close();
}
