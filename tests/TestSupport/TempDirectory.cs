namespace DataHub.Testing;

/// <summary>A folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    // What .gitignore keeps out of the repository: a SQLite database and its write-ahead log files.
    private static readonly string[] _localDatabaseEndings = [".db", ".db-wal", ".db-shm"];

    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "datahub-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a file (creating its folders) and returns its full path.</summary>
    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>
    /// Copies a folder's whole tree into this one, under <paramref name="relativePath"/>: every file, or those
    /// <paramref name="include"/> accepts.
    /// </summary>
    public string CopyFrom(string sourceDirectory, string relativePath = "", Func<string, bool>? include = null)
    {
        var target = System.IO.Path.Combine(Path, relativePath);
        foreach (var file in Directory.EnumerateFiles(sourceDirectory, "*", SearchOption.AllDirectories).Where(include ?? (_ => true)))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(sourceDirectory, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
        return target;
    }

    /// <summary>
    /// Copies the shipped sample (the repository's schema/) into this folder, as a fresh clone has it: without the
    /// SQLite files a local run of the host left there, so the host under test creates and seeds its own.
    /// </summary>
    public string CopyShippedSample() =>
        CopyFrom(TestPaths.SchemaDirectory, include: file => !_localDatabaseEndings.Any(ending => file.EndsWith(ending, StringComparison.OrdinalIgnoreCase)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (a pooled SQLite connection) is left to the OS's temp clean-up.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
