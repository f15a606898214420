from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_catalogue_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='LinkCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=500, unique=True, verbose_name='Adresse')),
                ('status', models.CharField(choices=[('ok', 'erreichbar'), ('redirect', 'umgeleitet'), ('broken', 'defekt'), ('error', 'keine Antwort')], max_length=10, verbose_name='Ergebnis')),
                ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='HTTP-Status')),
                ('final_url', models.URLField(blank=True, max_length=2000, verbose_name='Ziel')),
                ('proposed_url', models.URLField(blank=True, help_text='Die Seite ist dauerhaft umgezogen (301/308); diese Adresse eintragen.', max_length=2000, verbose_name='neue Adresse (Vorschlag)')),
                ('redirects', models.JSONField(blank=True, default=list, help_text='Jede Umleitung mit Status und Ziel, der Reihe nach.', verbose_name='Umleitungen')),
                ('error', models.TextField(blank=True, verbose_name='Fehler')),
                ('checked_at', models.DateTimeField(verbose_name='geprüft am')),
                ('failing_since', models.DateTimeField(blank=True, null=True, verbose_name='fehlerhaft seit')),
            ],
            options={
                'verbose_name': 'Linkprüfung',
                'verbose_name_plural': 'Linkprüfungen',
                'ordering': ['url'],
            },
        ),
    ]
