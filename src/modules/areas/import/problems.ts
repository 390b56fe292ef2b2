/** One thing wrong with an import file, said so a person can find and fix it. */
export interface ImportProblem {
  /** where in the file: "feature 3 (id N07)", "placemark 2 (Kelby)", "row 12", "file" */
  where: string
  /** what is wrong: "ring 1 is not closed (its last point must repeat its first)" */
  message: string
}

/**
 * Collects problems for one place in a file, folding repeats of the same kind into one line
 * ("longitude 200 is out of range … (and 54 more like it)") so a badly wrong file still gives
 * a report a person can read.
 */
export class ProblemList {
  readonly problems: ImportProblem[] = []
  private readonly repeats = new Map<string, { problem: ImportProblem; message: string; more: number }>()

  /** Adds a problem; `kind` groups repeats (omit it for one-off problems). */
  add(where: string, message: string, kind?: string): void {
    if (kind) {
      const key = `${where}\u0000${kind}`
      const seen = this.repeats.get(key)
      if (seen) {
        seen.more++
        seen.problem.message = `${seen.message} (and ${seen.more} more like it)`
        return
      }
      const problem = { where, message }
      this.repeats.set(key, { problem, message, more: 0 })
      this.problems.push(problem)
      return
    }
    this.problems.push({ where, message })
  }

  get size(): number {
    return this.problems.length
  }
}
