output "cluster_name" {
  description = "AKS cluster name (az aks get-credentials -g <resource_group> -n <cluster_name>)"
  value       = azurerm_kubernetes_cluster.this.name
}

output "resource_group" {
  description = "Resource group holding the environment"
  value       = azurerm_resource_group.this.name
}

output "kube_config" {
  description = "kubeconfig of the cluster's admin"
  value       = azurerm_kubernetes_cluster.this.kube_config_raw
  sensitive   = true
}

output "oidc_issuer_url" {
  description = "OIDC issuer for workload identity (federated credentials of the Rhizome service account)"
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "database_host" {
  description = "Private FQDN of the flexible server"
  value       = azurerm_postgresql_flexible_server.this.fqdn
}

output "database_url" {
  description = "DATABASE_URL for the chart's Secret (TLS required)"
  value       = "postgres://${var.administrator_login}:${urlencode(var.administrator_password)}@${azurerm_postgresql_flexible_server.this.fqdn}:5432/${azurerm_postgresql_flexible_server_database.rhizome.name}?sslmode=require"
  sensitive   = true
}
