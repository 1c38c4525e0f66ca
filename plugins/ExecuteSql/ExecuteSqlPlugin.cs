namespace DataHub.Plugins.ExecuteSql;
