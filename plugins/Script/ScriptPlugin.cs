namespace DataHub.Plugins.Script;
