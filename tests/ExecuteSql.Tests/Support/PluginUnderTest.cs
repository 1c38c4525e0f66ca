using System.Reflection;
using DataHub.Plugins;

namespace DataHub.ExecuteSql.Tests.Support;

/// <summary>The ExecuteSql plug-in as the host finds it: the built assembly under plugins/, reached only through the contract.</summary>
internal static class PluginUnderTest
{
    private static readonly Lazy<IProcessorPlugin> _plugin = new(Load);

    public static IProcessorPlugin Instance => _plugin.Value;

    private static IProcessorPlugin Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "plugins", "ExecuteSql", "ExecuteSql.dll");
        var assembly = Assembly.LoadFrom(path);
        var type = assembly.GetExportedTypes().Single(t => typeof(IProcessorPlugin).IsAssignableFrom(t) && !t.IsAbstract);
        return (IProcessorPlugin)Activator.CreateInstance(type)!;
    }
}
